"""Builders of realistic Telegram ``Update`` JSON dicts for end-to-end tests.

The dicts mirror what the Bot API sends over the wire, so they can be queued on
:class:`tests.fakes.telegram_server.FakeTelegramServer` (``push_update``) or fed to
``telegram.Update.de_json`` directly.  Everything PTB needs to de-json an object is
present; optional fields are added only where the real API sends them, because PTB
behaviour (filters, handlers) keys off their presence.

Message ids are handed out per chat by a :class:`MessageIds` counter.  The fake
server shares its counter with ``server.updates`` so that user messages and bot
messages in one chat never collide, exactly like in real Telegram.
"""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

JSON = dict[str, Any]

DEFAULT_BOT_ID = 7000000001
DEFAULT_BOT_USERNAME = "vt_helper_bot"
DEFAULT_BOT_FIRST_NAME = "VT Helper"
DEFAULT_USER_ID = 1001
DEFAULT_GROUP_ID = -1001234567890
DEFAULT_GROUP_TITLE = "HK Workers Training Group"
DEFAULT_LANGUAGE_CODE = "zh-hk"

# Telegram usernames are 5-32 characters; commands are 1-32 characters.
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_MENTION_RE = re.compile(r"(?<![\w@/])@[A-Za-z][A-Za-z0-9_]{4,31}")

# Permissions every ChatMemberAdministrator must carry for PTB to de-json it.
_ADMIN_RIGHTS: JSON = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
    "can_manage_topics": True,
}
# Fields ChatMemberRestricted requires (PTB 22.8).
_RESTRICTED_RIGHTS: JSON = {
    "is_member": True,
    "can_change_info": False,
    "can_invite_users": False,
    "can_pin_messages": False,
    "can_send_messages": False,
    "can_send_polls": False,
    "can_send_other_messages": False,
    "can_add_web_page_previews": False,
    "can_manage_topics": False,
    "until_date": 0,
    "can_send_audios": False,
    "can_send_documents": False,
    "can_send_photos": False,
    "can_send_videos": False,
    "can_send_video_notes": False,
    "can_send_voice_notes": False,
    "can_edit_tag": False,
    "can_react_to_messages": False,
}
CHAT_MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: Telegram entity offsets are measured this way,
    so emoji (outside the BMP) count as two."""
    return len(text.encode("utf-16-le")) // 2


def text_entities(text: str) -> list[JSON]:
    """Entities Telegram would attach to a plain user text.

    A ``bot_command`` at offset 0 (what PTB's CommandHandler looks at) and a
    ``mention`` for every ``@username`` elsewhere.
    """
    entities: list[JSON] = []
    command = _COMMAND_RE.match(text)
    if command:
        entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(command.group())})
    for match in _MENTION_RE.finditer(text):
        if command and match.start() < command.end():
            continue
        entities.append(
            {
                "type": "mention",
                "offset": utf16_len(text[: match.start()]),
                "length": utf16_len(match.group()),
            }
        )
    return entities


def make_user(
    user_id: int = DEFAULT_USER_ID,
    first_name: str = "Ka Ming",
    *,
    last_name: str | None = "Chan",
    username: str | None = None,
    language_code: str | None = DEFAULT_LANGUAGE_CODE,
    is_bot: bool = False,
) -> JSON:
    """A ``User`` dict; ``None`` fields are omitted as the API omits them."""
    user: JSON = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if last_name is not None:
        user["last_name"] = last_name
    if username is not None:
        user["username"] = username
    if language_code is not None:
        user["language_code"] = language_code
    return user


def make_bot_user(
    bot_id: int = DEFAULT_BOT_ID,
    username: str = DEFAULT_BOT_USERNAME,
    first_name: str = DEFAULT_BOT_FIRST_NAME,
) -> JSON:
    """The bot as it appears in ``from`` of its own messages."""
    return {"id": bot_id, "is_bot": True, "first_name": first_name, "username": username}


def private_chat(user: JSON) -> JSON:
    """The private chat with ``user`` (its id equals the user id)."""
    chat: JSON = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    for key in ("last_name", "username"):
        if key in user:
            chat[key] = user[key]
    return chat


def group_chat(
    chat_id: int = DEFAULT_GROUP_ID,
    title: str = DEFAULT_GROUP_TITLE,
    chat_type: str | None = None,
    *,
    is_forum: bool = False,
) -> JSON:
    """A group chat; ``-100…`` ids are supergroups unless ``chat_type`` says otherwise."""
    if chat_type is None:
        chat_type = guess_chat_type(chat_id)
    chat: JSON = {"id": chat_id, "type": chat_type, "title": title}
    if is_forum:
        chat["is_forum"] = True
    return chat


def guess_chat_type(chat_id: int | str) -> str:
    """Telegram's id conventions: users > 0, supergroups/channels -100…, basic groups < 0."""
    text = str(chat_id)
    if text.startswith("@"):
        return "channel"
    if not text.startswith("-"):
        return "private"
    return "supergroup" if text.startswith("-100") else "group"


def chat_member_dict(status: str, user: JSON, **overrides: Any) -> JSON:
    """A ``ChatMember`` dict with every field PTB requires for ``status``."""
    if status not in CHAT_MEMBER_STATUSES:
        raise ValueError(f"unknown status {status!r}; use one of {CHAT_MEMBER_STATUSES}")
    member: JSON = {"status": status, "user": user}
    if status == "administrator":
        member.update(_ADMIN_RIGHTS)
    elif status == "creator":
        member["is_anonymous"] = False
    elif status == "restricted":
        member.update(_RESTRICTED_RIGHTS)
    elif status == "kicked":
        member["until_date"] = 0
    member.update(overrides)
    return member


def _chat_key(chat_id: int | str) -> int | str:
    """Normalise ids that arrive as ``"123"`` or ``123`` to one dict key."""
    try:
        return int(chat_id)
    except (TypeError, ValueError):
        return str(chat_id)


class MessageIds:
    """Monotonic message ids per chat, shared by user-side and bot-side messages."""

    def __init__(self) -> None:
        self._last: dict[int | str, int] = {}

    def next(self, chat_id: int | str) -> int:
        """Reserve the next id in ``chat_id``."""
        key = _chat_key(chat_id)
        self._last[key] = self._last.get(key, 0) + 1
        return self._last[key]

    def last(self, chat_id: int | str) -> int | None:
        """The most recently reserved id in ``chat_id`` (``None`` if none yet)."""
        return self._last.get(_chat_key(chat_id))

    def observe(self, chat_id: int | str, message_id: int) -> None:
        """Account for an id minted elsewhere so later ids stay larger."""
        key = _chat_key(chat_id)
        self._last[key] = max(self._last.get(key, 0), int(message_id))


class UpdateBuilder:
    """Creates update dicts for one bot identity.

    Every builder method returns a complete update (with an ``update_id`` from this
    builder's own counter, which ``FakeTelegramServer.push_update`` replaces).
    ``user`` arguments accept a ``User`` dict, a bare user id, or ``None`` for the
    default worker; ``chat_id=None`` means the private chat with that user.
    """

    def __init__(
        self,
        *,
        bot_id: int = DEFAULT_BOT_ID,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_first_name: str = DEFAULT_BOT_FIRST_NAME,
        message_ids: MessageIds | None = None,
        start_update_id: int = 1,
    ) -> None:
        self.bot_id = bot_id
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.message_ids = message_ids if message_ids is not None else MessageIds()
        self._update_ids = itertools.count(start_update_id)
        self._serial = itertools.count(1)

    # ----------------------------------------------------------------- helpers
    @property
    def bot_user(self) -> JSON:
        """The bot's ``User`` dict."""
        return make_bot_user(self.bot_id, self.bot_username, self.bot_first_name)

    def user(self, user: JSON | int | None = None, **fields: Any) -> JSON:
        """Resolve a ``user`` argument; ``fields`` override individual keys."""
        if isinstance(user, dict):
            resolved = dict(user)
        else:
            resolved = make_user(DEFAULT_USER_ID if user is None else user)
        for key, value in fields.items():
            if value is not None:
                resolved[key] = value
        return resolved

    def chat(
        self,
        chat_id: int | None,
        user: JSON,
        *,
        title: str | None = None,
        chat_type: str | None = None,
        is_forum: bool = False,
    ) -> JSON:
        """The chat a message lives in: private with ``user`` or a group."""
        if chat_id is None or chat_id == user["id"]:
            return private_chat(user)
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
        return group_chat(chat_id, title or DEFAULT_GROUP_TITLE, chat_type, is_forum=is_forum)

    def wrap(self, kind: str, payload: JSON) -> JSON:
        """Wrap ``payload`` as an update of type ``kind`` (``"message"``, ...)."""
        return {"update_id": next(self._update_ids), kind: payload}

    def message(
        self,
        chat: JSON,
        sender: JSON | None,
        text: str | None = None,
        *,
        message_id: int | None = None,
        date: int | None = None,
        message_thread_id: int | None = None,
        is_topic_message: bool | None = None,
        reply_to_message: JSON | None = None,
        entities: list[JSON] | None = None,
        **extra: Any,
    ) -> JSON:
        """A bare ``Message`` dict (not wrapped in an update).

        Entities are derived from ``text`` unless given (pass ``[]`` for none).
        """
        if message_id is None:
            message_id = self.message_ids.next(chat["id"])
        else:
            self.message_ids.observe(chat["id"], message_id)
        message: JSON = {
            "message_id": message_id,
            "date": int(time.time()) if date is None else date,
            "chat": chat,
        }
        if sender is not None:
            message["from"] = sender
        if message_thread_id is not None:
            message["message_thread_id"] = message_thread_id
        if is_topic_message:
            message["is_topic_message"] = True
        if reply_to_message is not None:
            message["reply_to_message"] = reply_to_message
        if text is not None:
            message["text"] = text
            found = text_entities(text) if entities is None else entities
            if found:
                message["entities"] = found
        message.update(extra)
        return message

    def bot_message(self, chat: JSON, text: str, *, reply_markup: JSON | None = None) -> JSON:
        """A message the bot sent earlier into ``chat`` (for replies and callbacks)."""
        extra: JSON = {"reply_markup": reply_markup} if reply_markup is not None else {}
        return self.message(chat, self.bot_user, text, entities=[], **extra)

    def _file_ids(self, prefix: str) -> tuple[str, str]:
        serial = next(self._serial)
        return f"{prefix}ACAgUAAxkBAAI{serial:06d}", f"AQAD{prefix}{serial:06d}"

    # ----------------------------------------------------------- user messages
    def private_text(
        self,
        text: str,
        *,
        user: JSON | int | None = None,
        first_name: str | None = None,
        language_code: str | None = None,
        **message_kw: Any,
    ) -> JSON:
        """A user texting the bot in private; commands get a ``bot_command`` entity."""
        sender = self.user(user, first_name=first_name, language_code=language_code)
        return self.wrap("message", self.message(private_chat(sender), sender, text, **message_kw))

    def group_text(
        self,
        text: str,
        *,
        chat_id: int = DEFAULT_GROUP_ID,
        title: str = DEFAULT_GROUP_TITLE,
        chat_type: str | None = None,
        user: JSON | int | None = None,
        message_thread_id: int | None = None,
        is_topic_message: bool | None = None,
        **message_kw: Any,
    ) -> JSON:
        """A message in a (super)group; a thread id marks a forum topic by default."""
        if is_topic_message is None:
            is_topic_message = message_thread_id is not None
        sender = self.user(user)
        chat = group_chat(chat_id, title, chat_type, is_forum=is_topic_message)
        return self.wrap(
            "message",
            self.message(
                chat,
                sender,
                text,
                message_thread_id=message_thread_id,
                is_topic_message=is_topic_message,
                **message_kw,
            ),
        )

    def mention(self, text: str | None = None, **group_kw: Any) -> JSON:
        """A group message mentioning the bot (``@username`` gets a mention entity)."""
        if text is None:
            text = f"@{self.bot_username} 請問僱員再培訓局有咩課程？"
        elif f"@{self.bot_username}" not in text:
            text = f"@{self.bot_username} {text}"
        return self.group_text(text, **group_kw)

    def reply_to_bot(
        self,
        text: str,
        *,
        bot_message: JSON | None = None,
        bot_text: str = "你想問邊個課程？",
        chat_id: int | None = None,
        title: str | None = None,
        user: JSON | int | None = None,
        **message_kw: Any,
    ) -> JSON:
        """A user replying to one of the bot's messages.

        Pass ``bot_message`` (e.g. ``call.result`` of a recorded ``sendMessage``) to
        reply to a real one; otherwise a bot message is synthesised in the chat.
        """
        sender = self.user(user)
        if bot_message is not None:
            chat = bot_message["chat"]
            replied = {k: v for k, v in bot_message.items() if k != "reply_to_message"}
        else:
            chat = self.chat(chat_id, sender, title=title)
            replied = self.bot_message(chat, bot_text)
        if "message_thread_id" in replied:
            message_kw.setdefault("message_thread_id", replied["message_thread_id"])
            message_kw.setdefault("is_topic_message", replied.get("is_topic_message"))
        return self.wrap(
            "message", self.message(chat, sender, text, reply_to_message=replied, **message_kw)
        )

    def photo(
        self,
        *,
        caption: str | None = None,
        user: JSON | int | None = None,
        chat_id: int | None = None,
        title: str | None = None,
        file_id: str | None = None,
        sizes: tuple[tuple[int, int], ...] = ((90, 68), (320, 240), (1280, 960)),
        **message_kw: Any,
    ) -> JSON:
        """A photo message; ``photo`` lists several sizes sharing one file_unique_id stem."""
        sender = self.user(user)
        base_id, unique_id = self._file_ids("AgAC")
        file_id = file_id or base_id
        photo = [
            {
                "file_id": f"{file_id}-{width}",
                "file_unique_id": f"{unique_id}-{width}",
                "width": width,
                "height": height,
                "file_size": width * height // 10,
            }
            for width, height in sizes
        ]
        extra: JSON = {"photo": photo}
        if caption is not None:
            extra["caption"] = caption
        chat = self.chat(chat_id, sender, title=title)
        return self.wrap("message", self.message(chat, sender, None, **extra, **message_kw))

    def document(
        self,
        *,
        file_name: str = "certificate.pdf",
        mime_type: str = "application/pdf",
        file_size: int = 48213,
        caption: str | None = None,
        user: JSON | int | None = None,
        chat_id: int | None = None,
        title: str | None = None,
        file_id: str | None = None,
        **message_kw: Any,
    ) -> JSON:
        """A document message (e.g. a worker sending a certificate PDF)."""
        sender = self.user(user)
        base_id, unique_id = self._file_ids("BQAC")
        extra: JSON = {
            "document": {
                "file_id": file_id or base_id,
                "file_unique_id": unique_id,
                "file_name": file_name,
                "mime_type": mime_type,
                "file_size": file_size,
            }
        }
        if caption is not None:
            extra["caption"] = caption
        chat = self.chat(chat_id, sender, title=title)
        return self.wrap("message", self.message(chat, sender, None, **extra, **message_kw))

    def migrate_to_chat(
        self,
        *,
        old_chat_id: int = -4001234567,
        new_chat_id: int = -1004001234567,
        title: str = DEFAULT_GROUP_TITLE,
        user: JSON | int | None = None,
    ) -> JSON:
        """Service message in the old basic group: it became supergroup ``new_chat_id``."""
        chat = group_chat(old_chat_id, title, "group")
        return self.wrap(
            "message",
            self.message(chat, self.user(user), migrate_to_chat_id=new_chat_id),
        )

    def migrate_from_chat(
        self,
        *,
        new_chat_id: int = -1004001234567,
        old_chat_id: int = -4001234567,
        title: str = DEFAULT_GROUP_TITLE,
        user: JSON | int | None = None,
    ) -> JSON:
        """First service message in the new supergroup, pointing back at the old group."""
        chat = group_chat(new_chat_id, title, "supergroup")
        return self.wrap(
            "message",
            self.message(chat, self.user(user), migrate_from_chat_id=old_chat_id),
        )

    # ----------------------------------------------------- non-message updates
    def callback_query(
        self,
        data: str,
        *,
        user: JSON | int | None = None,
        message: JSON | None = None,
        message_text: str = "請揀一個課程：",
        chat_id: int | None = None,
        title: str | None = None,
        reply_markup: JSON | None = None,
        callback_query_id: str | None = None,
        chat_instance: str | None = None,
    ) -> JSON:
        """A user pressing an inline button under a bot message.

        ``message`` may be a real bot message (``call.result``); otherwise one is made
        in the chat with a keyboard containing a button carrying ``data``.
        """
        sender = self.user(user)
        if message is None:
            chat = self.chat(chat_id, sender, title=title)
            markup = reply_markup or {"inline_keyboard": [[{"text": data, "callback_data": data}]]}
            message = self.bot_message(chat, message_text, reply_markup=markup)
        query: JSON = {
            "id": callback_query_id or f"{sender['id']}{next(self._serial):08d}",
            "from": sender,
            "chat_instance": chat_instance or f"-{abs(message['chat']['id'])}77",
            "data": data,
            "message": message,
        }
        return self.wrap("callback_query", query)

    def inline_query(
        self,
        query: str,
        *,
        user: JSON | int | None = None,
        offset: str = "",
        inline_query_id: str | None = None,
        chat_type: str | None = "sender",
    ) -> JSON:
        """A user typing ``@bot query`` in any chat."""
        sender = self.user(user)
        payload: JSON = {
            "id": inline_query_id or f"{sender['id']}{next(self._serial):010d}",
            "from": sender,
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            payload["chat_type"] = chat_type
        return self.wrap("inline_query", payload)

    def my_chat_member(
        self,
        *,
        old_status: str,
        new_status: str,
        chat_id: int = DEFAULT_GROUP_ID,
        title: str = DEFAULT_GROUP_TITLE,
        chat_type: str | None = None,
        user: JSON | int | None = None,
    ) -> JSON:
        """The bot's own membership changed in a chat (``user`` made the change)."""
        actor = self.user(user)
        if chat_id > 0:
            chat = private_chat(actor)
        else:
            chat = group_chat(chat_id, title, chat_type)
        payload: JSON = {
            "chat": chat,
            "from": actor,
            "date": int(time.time()),
            "old_chat_member": chat_member_dict(old_status, self.bot_user),
            "new_chat_member": chat_member_dict(new_status, self.bot_user),
        }
        return self.wrap("my_chat_member", payload)

    def bot_added_to_group(self, *, as_admin: bool = False, **kw: Any) -> JSON:
        """Someone added the bot to a group (``left`` -> ``member``/``administrator``)."""
        return self.my_chat_member(
            old_status="left", new_status="administrator" if as_admin else "member", **kw
        )

    def bot_removed_from_group(self, *, kicked: bool = True, **kw: Any) -> JSON:
        """Someone removed the bot (``member`` -> ``kicked``, or ``left`` if it left)."""
        return self.my_chat_member(
            old_status="member", new_status="kicked" if kicked else "left", **kw
        )

    def bot_blocked_by_user(self, *, user: JSON | int | None = None) -> JSON:
        """A user blocked the bot in private chat; later sends get 403."""
        actor = self.user(user)
        return self.my_chat_member(
            old_status="member", new_status="kicked", chat_id=actor["id"], user=actor
        )


# Module-level shortcuts on a default builder (own counters, not shared with any
# server).  Prefer ``server.updates`` when message ids must interleave with the bot's.
default_builder = UpdateBuilder()
private_text = default_builder.private_text
group_text = default_builder.group_text
mention = default_builder.mention
reply_to_bot = default_builder.reply_to_bot
callback_query = default_builder.callback_query
inline_query = default_builder.inline_query
my_chat_member = default_builder.my_chat_member
bot_added_to_group = default_builder.bot_added_to_group
bot_removed_from_group = default_builder.bot_removed_from_group
bot_blocked_by_user = default_builder.bot_blocked_by_user
migrate_to_chat = default_builder.migrate_to_chat
migrate_from_chat = default_builder.migrate_from_chat
photo = default_builder.photo
document = default_builder.document
