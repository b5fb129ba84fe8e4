"""Strings of announcements (issue 16: tags, targeting, language versions, schedules, test copies,
pins, edit and delete everywhere, /tag and /grouplang), same shape as bot/i18n/catalog.py (merged
into it). Plain text: bot/telegram/announce_render.py escapes them. `zh` is Traditional Chinese
(Hong Kong); Simplified is derived. The panel's 📣 #A{id} and the request's ✏️ #E{id} are how the
admin's replies are recognised: keep them in every language.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- announcements: command menu ----------------------------------------------------------------
    "adm_cmd_scheduled": {"zh": "已排程的公告", "en": "Scheduled announcements"},
    "adm_cmd_tag": {
        "zh": "本群組的標籤（用於指定公告對象）",
        "en": "This group's tags (to target announcements)",
    },
    "adm_cmd_grouplang": {
        "zh": "本群組公告的語言",
        "en": "The language of announcements in this group",
    },
    "an_help": {
        "zh": "公告：/broadcast 的預覽下可選擇對象（標籤或語言）、加入其他語言版本、先發給自己測試、置頂及稍後發送；"
        "/scheduled – 已排程的公告（可取消）；完成報告下可「全部修改」或「全部刪除」。"
        "群組管理員可在群組內用 /tag 加標籤、/grouplang 設定語言。",
        "en": "Announcements: under a /broadcast preview choose the audience (tags or a language), add other languages' "
        "versions, send yourself a test, pin, or send later; /scheduled – scheduled announcements (with Cancel); "
        "the final report offers edit everywhere and delete everywhere. Group admins tag their group with /tag "
        "and set its language with /grouplang.",
    },
    "bc_status_scheduled": {"zh": "已排程", "en": "scheduled"},
    "bc_status_missed": {"zh": "已錯過", "en": "missed"},
    # -- announcements: the panel --------------------------------------------------------------------
    "an_aud_all": {"zh": "所有訂閱群組", "en": "all subscribed groups"},
    "an_aud_tags": {"zh": "帶有標籤 {tags} 的群組", "en": "groups tagged {tags}"},
    "an_aud_lang": {"zh": "語言為 {lang} 的群組", "en": "groups whose language is {lang}"},
    "an_line_audience": {"zh": "🎯 對象：{audience}", "en": "🎯 Audience: {audience}"},
    "an_line_versions": {"zh": "🌐 語言版本：{versions}", "en": "🌐 Versions: {versions}"},
    "an_line_pin_on": {"zh": "📌 發送後置頂：是", "en": "📌 Pin after sending: yes"},
    "an_line_pin_off": {"zh": "📌 發送後置頂：否", "en": "📌 Pin after sending: no"},
    "an_panel_hint": {
        "zh": "📣 #A{id} 回覆這則訊息可加入另一語言的版本（例如「en: ...」），或輸入日期時間（2026-03-16 09:00、09:00 或 +30m）以排程發送。",
        "en": '📣 #A{id} Reply to this message with another language\'s version (e.g. "zh-Hant: ..."), '
        "or with a date and time (2026-03-16 09:00, 09:00 or +30m) to send it later.",
    },
    "an_when_hint": {
        "zh": "📣 #A{id} 選擇發送時間，或回覆這則訊息輸入日期時間（2026-03-16 09:00、09:00 或 +30m）。",
        "en": "📣 #A{id} Pick a time, or reply to this message with a date and time (2026-03-16 09:00, 09:00 or +30m).",
    },
    "an_btn_audience": {"zh": "🎯 對象", "en": "🎯 Audience"},
    "an_btn_test": {"zh": "🧪 先發給我測試", "en": "🧪 Send me a test"},
    "an_btn_pin_on": {"zh": "📌 置頂：是", "en": "📌 Pin: yes"},
    "an_btn_pin_off": {"zh": "📌 置頂：否", "en": "📌 Pin: no"},
    "an_btn_when": {"zh": "🕘 稍後發送", "en": "🕘 Send later"},
    "an_btn_all": {"zh": "所有訂閱群組", "en": "All subscribed groups"},
    "an_btn_back": {"zh": "⬅ 返回", "en": "⬅ Back"},
    "an_btn_in_hour": {"zh": "一小時後（{time}）", "en": "In an hour ({time})"},
    "an_btn_tomorrow": {"zh": "明天 {time}", "en": "Tomorrow {time}"},
    "an_test_note": {
        "zh": "↑ 公告 #{id} 的測試（{version} 版本），只發給你；群組會收到完全一樣的訊息。",
        "en": "↑ Test of broadcast #{id} ({version} version), sent only to you; groups get exactly this.",
    },
    "an_test_sent": {
        "zh": "已把測試發到你的私人對話。",
        "en": "The test is in your private chat.",
    },
    "an_test_failed": {
        "zh": "未能發送測試：請先在私人對話中向本機械人按 /start。",
        "en": "Could not send the test: start a private chat with the bot first (/start).",
    },
    "an_version_added": {
        "zh": "已加入 {language} 版本（公告 #{id}）。",
        "en": "Added the {language} version of broadcast #{id}.",
    },
    "an_version_same": {
        "zh": "{language} 是第一個版本的語言；要更改它，請重新 /broadcast。",
        "en": "{language} is the first version's language; to change it, start again with /broadcast.",
    },
    # -- announcements: scheduling -------------------------------------------------------------------
    "an_when_unreadable": {
        "zh": "看不懂這個時間。請用 2026-03-16 09:00、09:00 或 +30m；如要把它加為另一語言的版本，請在開頭寫明語言，例如「en: ...」。",
        "en": "I can't read that time. Use 2026-03-16 09:00, 09:00 or +30m; to add it as another language's version, "
        'start it with the language, e.g. "en: ...".',
    },
    "an_no_audience": {
        "zh": "沒有群組符合所選的對象，請先更改對象。",
        "en": "No group matches the chosen audience; change the audience first.",
    },
    "an_when_past": {"zh": "這個時間已經過去了。", "en": "That time has passed."},
    "an_when_far": {
        "zh": "最多只可排程一年之內的公告。",
        "en": "Announcements can be scheduled up to a year ahead.",
    },
    "an_scheduled": {
        "zh": "🕘 公告 #{id} 已排程於 {when} 發送給{audience}（目前 {count} 個群組）。用 /scheduled 查看或取消。",
        "en": "🕘 Broadcast #{id} is scheduled for {when}, to {audience} ({count} groups now). /scheduled lists or cancels it.",
    },
    "an_sched_title": {"zh": "已排程的公告：", "en": "Scheduled announcements:"},
    "an_sched_none": {"zh": "沒有已排程的公告。", "en": "No announcement is scheduled."},
    "an_sched_line": {
        "zh": "#{id} · {when} · {audience}（{count} 個群組）· {preview}",
        "en": "#{id} · {when} · {audience} ({count} groups) · {preview}",
    },
    "an_sched_copy": {"zh": "（轉發的訊息）", "en": "(a copied message)"},
    "an_btn_cancel_id": {"zh": "✖ 取消 #{id}", "en": "✖ Cancel #{id}"},
    "an_sched_cancelled": {"zh": "公告 #{id} 已取消。", "en": "Broadcast #{id} cancelled."},
    "an_sched_not_waiting": {
        "zh": "公告 #{id} 已發送或已取消。",
        "en": "Broadcast #{id} was already sent or cancelled.",
    },
    "an_fired": {
        "zh": "🕘 已排程的公告 #{id}（{when}）：開始發送給 {total} 個群組……",
        "en": "🕘 Scheduled broadcast #{id} ({when}): sending to {total} groups…",
    },
    "an_fired_late": {
        "zh": "🕘 已排程的公告 #{id}（{when}）：本機械人曾暫停，遲了 {minutes} 分鐘；開始發送給 {total} 個群組……",
        "en": "🕘 Scheduled broadcast #{id} ({when}): the bot was down, {minutes} min late; sending to {total} groups…",
    },
    "an_missed": {
        "zh": "⚠️ 已排程的公告 #{id}（{when}）沒有發送：本機械人停了超過 {minutes} 分鐘，已錯過時間。如仍需要，請重新 /broadcast。",
        "en": "⚠️ Scheduled broadcast #{id} ({when}) was not sent: the bot was down more than {minutes} minutes past "
        "its time. Send it again with /broadcast if it still matters.",
    },
    # -- announcements: reports, pins, edit and delete everywhere ------------------------------------------
    "an_pin_report": {
        "zh": "📌 已在 {pinned}/{total} 個群組置頂。",
        "en": "📌 Pinned in {pinned} of {total} groups.",
    },
    "an_btn_edit": {"zh": "✏️ 全部修改", "en": "✏️ Edit everywhere"},
    "an_btn_delete": {"zh": "🗑 全部刪除", "en": "🗑 Delete everywhere"},
    "an_no_copies": {
        "zh": "公告 #{id} 沒有已送達的訊息。",
        "en": "Broadcast #{id} has no delivered copies.",
    },
    "an_edit_ask": {
        "zh": "✏️ #E{id} 回覆這則訊息，輸入公告 #{id} 的修正文字；{count} 個群組的訊息會一併修改。",
        "en": "✏️ #E{id} Reply to this message with the corrected text of broadcast #{id}; its {count} delivered copies "
        "will be edited.",
    },
    "an_edit_ask_versions": {
        "zh": "✏️ #E{id} 回覆這則訊息，輸入公告 #{id} 某一語言版本（{versions}）的修正文字，可用「en: ...」指明語言；"
        "只會修改收到該版本的群組（共 {count} 個已送達）。",
        "en": "✏️ #E{id} Reply to this message with the corrected text of one version of broadcast #{id} ({versions}), "
        'e.g. "en: ..."; only the groups that got that version are edited ({count} delivered copies in all).',
    },
    "an_edit_text_only": {
        "zh": "請以文字回覆修正內容。",
        "en": "Please reply with the corrected text.",
    },
    "an_btn_confirm_op": {"zh": "✅ 確認", "en": "✅ Confirm"},
    "an_op_edit_q": {
        "zh": "把公告 #{id} 的 {count} 則已送達訊息改為以上文字？",
        "en": "Edit the {count} delivered copies of broadcast #{id} to the text above?",
    },
    "an_op_delete_q": {
        "zh": "從所有群組刪除公告 #{id} 的 {count} 則已送達訊息？",
        "en": "Delete the {count} delivered copies of broadcast #{id} from every group?",
    },
    "an_op_cancelled": {
        "zh": "已取消，公告 #{id} 沒有改動。",
        "en": "Cancelled: broadcast #{id} was not changed.",
    },
    "an_op_edit_started": {
        "zh": "公告 #{id}：開始修改 {total} 則訊息……",
        "en": "Broadcast #{id}: editing {total} copies…",
    },
    "an_op_delete_started": {
        "zh": "公告 #{id}：開始刪除 {total} 則訊息……",
        "en": "Broadcast #{id}: deleting {total} copies…",
    },
    "an_op_edit_progress": {
        "zh": "修改公告 #{id}：已處理 {done}/{total}（成功 {ok}、失敗 {failed}）",
        "en": "Editing broadcast #{id}: {done}/{total} done ({ok} edited, {failed} failed)",
    },
    "an_op_delete_progress": {
        "zh": "刪除公告 #{id}：已處理 {done}/{total}（成功 {ok}、失敗 {failed}）",
        "en": "Deleting broadcast #{id}: {done}/{total} done ({ok} deleted, {failed} failed)",
    },
    "an_op_edit_report": {
        "zh": "公告 #{id} 修改完成：{total} 則訊息中，成功 {ok} 則、失敗 {failed} 則。",
        "en": "Edit of broadcast #{id} finished: of {total} copies, {ok} edited, {failed} failed.",
    },
    "an_op_delete_report": {
        "zh": "公告 #{id} 刪除完成：{total} 則訊息中，成功 {ok} 則、失敗 {failed} 則。",
        "en": "Delete of broadcast #{id} finished: of {total} copies, {ok} deleted, {failed} failed.",
    },
    # -- announcements: in groups ---------------------------------------------------------------------------
    "an_group_only": {"zh": "請在群組內使用這個指令。", "en": "Use this command in a group."},
    "an_not_allowed": {
        "zh": "抱歉，只有本群組的管理員可以更改這個設定。",
        "en": "Sorry, only this group's administrators can change this.",
    },
    "an_tags_now": {"zh": "本群組的標籤：{tags}", "en": "This group's tags: {tags}"},
    "an_tags_none_word": {"zh": "（沒有）", "en": "(none)"},
    "an_tag_hint": {
        "zh": "用法：/tag 名稱 加上標籤（可多個），/tag -名稱 移除。管理員可按標籤向指定群組發送公告。",
        "en": "Usage: /tag NAME adds tags (several at once), /tag -NAME removes one. Announcements can target tags.",
    },
    "an_tag_usage": {
        "zh": "標籤只可包含字母、數字、「-」及「_」，最長 24 個字元：{bad}",
        "en": 'Tags are letters, digits, "-" and "_", up to 24 characters: {bad}',
    },
    "an_tag_not_subscribed": {
        "zh": "注意：本群組尚未訂閱公告（/subscribe）。",
        "en": "Note: this group is not subscribed to announcements yet (/subscribe).",
    },
    "an_glang_now": {
        "zh": "本群組公告的語言：{language}（{source}）",
        "en": "Announcements here come in: {language} ({source})",
    },
    "an_glang_set": {"zh": "由群組管理員設定", "en": "set by the group's admins"},
    "an_glang_askers": {
        "zh": "按大多數發問者所用的語言",
        "en": "the language most askers here use",
    },
    "an_glang_default": {"zh": "預設", "en": "the default"},
    "an_glang_usage": {
        "zh": "用法：/grouplang zh-Hant、zh-Hans、en，或 auto（跟隨發問者）。",
        "en": "Usage: /grouplang zh-Hant, zh-Hans, en, or auto (follow the askers).",
    },
}
