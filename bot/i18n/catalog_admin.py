"""Strings of the admin operations (reload, subscriptions, broadcasts, reminders, stats, the human
inbox), same shape as bot/i18n/catalog.py (merged into it). Plain text: bot/telegram/admin_render.py
escapes them. `zh` is Traditional Chinese (Hong Kong); Simplified is derived.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- who may ---------------------------------------------------------------------------------
    "adm_refused": {
        "zh": "抱歉，這個指令只供本服務的管理員使用。",
        "en": "Sorry, this command is only for the bot's administrators.",
    },
    "adm_private_only": {
        "zh": "為免公開內部資料，請在與我的私人對話（或管理員群組）中使用這個指令。",
        "en": "To keep internal figures private, please use this command in a private chat with me (or in the admin chat).",
    },
    "adm_help": {
        "zh": "管理員指令：\n/reload – 重新載入知識檔案\n/broadcast – 向訂閱群組發送公告（回覆一則訊息，或在指令後寫上內容）\n"
        "/broadcasts – 最近的公告及數字\n/subscribers – 已訂閱的群組\n/stats [日數] – 使用統計（圖表）\n"
        "/review – 檢視未能回答的問題並教導機械人\n/knowledge – 下載或上載知識檔案\n"
        "群組管理員可在群組內用 /subscribe、/unsubscribe 及 /reminders on|off。",
        "en": "Admin commands:\n/reload – reload the knowledge files\n/broadcast – announce to subscribed groups (reply to a "
        "message, or write the text after the command)\n/broadcasts – recent announcements and their figures\n"
        "/subscribers – subscribed groups\n/stats [days] – usage statistics (a chart)\n"
        "/review – review unanswered questions and teach the bot\n/knowledge – download or upload the knowledge files\n"
        "Group admins can use /subscribe, /unsubscribe and /reminders on|off in their group.",
    },
    # Command menus: bot admins' private chat, and group administrators (setMyCommands).
    "adm_cmd_admin": {"zh": "管理員指令一覽", "en": "Admin commands"},
    "adm_cmd_reload": {"zh": "重新載入知識檔案", "en": "Reload the knowledge files"},
    "adm_cmd_broadcast": {"zh": "向訂閱群組發送公告", "en": "Announce to subscribed groups"},
    "adm_cmd_broadcasts": {"zh": "最近的公告", "en": "Recent announcements"},
    "adm_cmd_subscribers": {"zh": "已訂閱的群組", "en": "Subscribed groups"},
    "adm_cmd_stats": {"zh": "使用統計", "en": "Usage statistics"},
    "adm_cmd_subscribe": {
        "zh": "本群組訂閱公告及活動提醒",
        "en": "Subscribe this group to announcements and reminders",
    },
    "adm_cmd_unsubscribe": {"zh": "本群組取消訂閱", "en": "Unsubscribe this group"},
    "adm_cmd_reminders": {
        "zh": "開關本群組的活動提醒（on/off）",
        "en": "Event reminders for this group on or off",
    },
    # -- /reload ----------------------------------------------------------------------------------
    "adm_reload_busy": {
        "zh": "正在重新載入中，請稍候。",
        "en": "A reload is already running; please wait.",
    },
    "adm_reload_start": {
        "zh": "正在檢查及重新載入知識檔案……",
        "en": "Checking and reloading the knowledge files…",
    },
    "adm_reload_ok": {
        "zh": "已重新載入知識：共 {entries} 項。新增 {added} 項、修改 {changed} 項、刪除 {removed} 項。",
        "en": "Knowledge reloaded: {entries} entries. {added} added, {changed} changed, {removed} removed.",
    },
    "adm_reload_cli": {
        "zh": "知識已由指令列（bot.py reload）更新：共 {entries} 項。新增 {added} 項、修改 {changed} 項、刪除 {removed} 項。",
        "en": "Knowledge updated from the command line (bot.py reload): {entries} entries. "
        "{added} added, {changed} changed, {removed} removed.",
    },
    "adm_reload_added": {"zh": "新增：{ids}", "en": "Added: {ids}"},
    "adm_reload_changed": {"zh": "修改：{ids}", "en": "Changed: {ids}"},
    "adm_reload_removed": {"zh": "刪除：{ids}", "en": "Removed: {ids}"},
    "adm_reload_failed": {
        "zh": "重新載入被拒：知識檔案有 {count} 個錯誤。我會繼續用原有的知識回答。錯誤如下：",
        "en": "Reload refused: {count} error(s) in the knowledge files. I keep answering from the previous knowledge. The errors:",
    },
    # -- subscriptions ----------------------------------------------------------------------------
    "sub_group_only": {
        "zh": "請在群組內使用這個指令：它會為該群組訂閱公告及活動提醒。",
        "en": "Use this command in a group: it subscribes that group to announcements and event reminders.",
    },
    "sub_not_allowed": {
        "zh": "抱歉，只有本群組的管理員可以更改訂閱設定。",
        "en": "Sorry, only this group's administrators can change its subscription.",
    },
    "sub_done": {
        "zh": "本群組已訂閱公告及活動提醒。用 /unsubscribe 取消訂閱，或用 /reminders off 只停止提醒。",
        "en": "This group is now subscribed to announcements and event reminders. Use /unsubscribe to stop, "
        "or /reminders off to stop reminders only.",
    },
    "sub_already": {"zh": "本群組已經訂閱了。", "en": "This group is already subscribed."},
    "unsub_done": {
        "zh": "本群組已取消訂閱，不會再收到公告或提醒。",
        "en": "This group is unsubscribed: no more announcements or reminders.",
    },
    "unsub_not": {"zh": "本群組並未訂閱。", "en": "This group was not subscribed."},
    "rem_on": {"zh": "本群組的活動提醒已開啟。", "en": "Event reminders are on for this group."},
    "rem_off": {
        "zh": "本群組的活動提醒已關閉（公告照常）。",
        "en": "Event reminders are off for this group (announcements still come).",
    },
    "rem_usage": {
        "zh": "請用 /reminders on 或 /reminders off。本群組的活動提醒目前{state}。",
        "en": "Use /reminders on or /reminders off. Event reminders are {state} for this group now.",
    },
    "rem_state_on": {"zh": "開啟", "en": "on"},
    "rem_state_off": {"zh": "關閉", "en": "off"},
    "rem_not_subscribed": {
        "zh": "本群組未訂閱：請先用 /subscribe 訂閱。",
        "en": "This group is not subscribed: use /subscribe first.",
    },
    "subs_title": {
        "zh": "已訂閱群組：{active} 個有效，{inactive} 個已失效",
        "en": "Subscribed groups: {active} active, {inactive} inactive",
    },
    "subs_none": {"zh": "暫時沒有群組訂閱。", "en": "No group is subscribed yet."},
    "subs_inactive": {"zh": "已失效", "en": "inactive"},
    "subs_no_reminders": {"zh": "不收提醒", "en": "no reminders"},
    "subs_more": {"zh": "另有 {count} 個未列出。", "en": "{count} more not shown."},
    # -- broadcasts -----------------------------------------------------------------------------
    "bc_usage": {
        "zh": "用法：回覆一則訊息（文字、相片或文件）並輸入 /broadcast，或輸入「/broadcast 公告內容」。",
        "en": "Usage: reply /broadcast to a message (text, photo or document), or write /broadcast followed by the text.",
    },
    "bc_no_groups": {
        "zh": "暫時沒有群組訂閱，沒有需要發送的對象。",
        "en": "No group is subscribed: there is no one to send to.",
    },
    "bc_preview": {
        "zh": "以上是公告 #{id} 的預覽。要發送給 {count} 個訂閱群組嗎？",
        "en": "Above is the preview of broadcast #{id}. Send it to {count} subscribed groups?",
    },
    "bc_confirm": {"zh": "✅ 確認發送", "en": "✅ Send"},
    "bc_cancel": {"zh": "✖ 取消", "en": "✖ Cancel"},
    "bc_cancelled": {
        "zh": "公告 #{id} 已取消，沒有發送。",
        "en": "Broadcast #{id} cancelled: nothing was sent.",
    },
    "bc_already": {
        "zh": "這則公告已經確認或取消了。",
        "en": "This broadcast was already confirmed or cancelled.",
    },
    "bc_started": {
        "zh": "公告 #{id}：開始發送給 {total} 個群組……",
        "en": "Broadcast #{id}: sending to {total} groups…",
    },
    "bc_progress": {
        "zh": "公告 #{id}：已處理 {done}/{total}（成功 {sent}、失敗 {failed}、略過 {skipped}、未能確認 {uncertain}）",
        "en": "Broadcast #{id}: {done}/{total} done ({sent} sent, {failed} failed, {skipped} skipped, {uncertain} uncertain)",
    },
    "bc_report": {
        "zh": "公告 #{id} 已完成：{total} 個群組中，成功 {sent} 個、失敗 {failed} 個、略過 {skipped} 個、未能確認 {uncertain} 個。",
        "en": "Broadcast #{id} finished: of {total} groups, {sent} sent, {failed} failed, {skipped} skipped, {uncertain} uncertain.",
    },
    "bc_report_inactive": {
        "zh": "{count} 個群組已移除或封鎖本機械人，已標示為失效。",
        "en": "{count} groups removed or blocked the bot and are now marked inactive.",
    },
    "bc_report_uncertain": {
        "zh": "{count} 個群組未能確認是否收到（Telegram 在發送後回報錯誤、連線中斷，或發送途中重新啟動）；為免重複，不會再次發送。",
        "en": "{count} groups may or may not have received it (Telegram answered with an error after the send, the "
        "connection dropped, or a restart came mid-send); they are not sent again, to avoid duplicates.",
    },
    "bc_list_title": {"zh": "最近的公告：", "en": "Recent broadcasts:"},
    "bc_list_none": {"zh": "暫時沒有公告。", "en": "No broadcasts yet."},
    "bc_list_line": {
        "zh": "#{id} {date} · {status} · {total} 個群組：成功 {sent}、失敗 {failed}、略過 {skipped}、未能確認 {uncertain}",
        "en": "#{id} {date} · {status} · {total} groups: {sent} sent, {failed} failed, {skipped} skipped, {uncertain} uncertain",
    },
    "bc_status_sending": {"zh": "發送中", "en": "sending"},
    "bc_status_done": {"zh": "已完成", "en": "done"},
    "bc_status_cancelled": {"zh": "已取消", "en": "cancelled"},
    # -- reminders --------------------------------------------------------------------------------
    "rm_start": {
        "zh": "📅 提提你：「{title}」將於{when}開始。",
        "en": "📅 Reminder: “{title}” starts {when}.",
    },
    "rm_start_event": {
        "zh": "📅 提提你：「{title}」將於{when}舉行。",
        "en": "📅 Reminder: “{title}” takes place {when}.",
    },
    "rm_end": {
        "zh": "⏳ 提提你：「{title}」將於{when}結束。",
        "en": "⏳ Reminder: “{title}” ends {when}.",
    },
    "rm_on_day": {"zh": "{date}", "en": "on {date}"},
    "rm_in_month": {"zh": "{date}", "en": "in {date}"},
    "rm_days_left": {"zh": "（還有 {days} 日）", "en": "(in {days} days)"},
    "rm_tomorrow": {"zh": "（即明天）", "en": "(tomorrow)"},
    "rm_today": {"zh": "（即今天）", "en": "(today)"},
    "rm_more": {
        "zh": "按下面查看詳情，或用 /ask 問我。",
        "en": "Tap below for the details, or ask me with /ask.",
    },
    "rm_details": {"zh": "查看詳情", "en": "Details"},
    # -- stats --------------------------------------------------------------------------------------
    "st_title": {"zh": "使用統計：{first} 至 {last}", "en": "Statistics from {first} to {last}"},
    "st_summary": {
        "zh": "{questions} 條問題，來自 {users} 位使用者；已回答 {answered} 條（{rate}%）。",
        "en": "{questions} questions from {users} users; {answered} answered ({rate}%).",
    },
    "st_per_day": {"zh": "每日（問題／已回答）：", "en": "Per day (questions / answered):"},
    "st_per_lang": {"zh": "按語言：", "en": "Per language:"},
    "st_unanswered": {"zh": "最常見而未能回答的問題：", "en": "Top unanswered questions:"},
    "st_none": {"zh": "這段期間沒有問題。", "en": "No questions in this period."},
    "st_usage": {
        "zh": "用法：/stats 或 /stats 日數（1 至 90）",
        "en": "Usage: /stats or /stats DAYS (1 to 90)",
    },
    # -- the human inbox ------------------------------------------------------------------------
    "ib_button": {"zh": "🙋 問真人職員", "en": "🙋 Ask a person"},
    "ib_sent": {
        "zh": "已把你的問題轉交我們的職員，他們的回覆會在這裡出現。",
        "en": "I've passed your question to our staff; their reply will come here.",
    },
    "ib_already": {
        "zh": "你的問題已經轉交職員了。",
        "en": "Your question was already passed to our staff.",
    },
    "ib_not_yours": {
        "zh": "只有發問的人可以轉交這個問題。",
        "en": "Only the person who asked can pass this question on.",
    },
    "ib_unavailable": {
        "zh": "抱歉，暫時未能轉交問題，請稍後再試。",
        "en": "Sorry, I can't pass questions on right now; please try again later.",
    },
    "ib_admin_item": {
        "zh": "🙋 #Q{id} 有人想問真人職員（{lang}，{where}）：",
        "en": "🙋 #Q{id} A worker asks for a person ({lang}, {where}):",
    },
    "ib_admin_hint": {
        "zh": "回覆這則訊息即可作答，你的回覆會轉發給發問者。",
        "en": "Reply to this message to answer; your reply is relayed to the worker.",
    },
    "ib_where_private": {"zh": "私人對話", "en": "private chat"},
    "ib_where_group": {"zh": "群組", "en": "group"},
    "ib_reply_header": {
        "zh": "職員就你的問題「{question}」回覆：",
        "en": "Our staff's reply to your question “{question}”:",
    },
    "ib_relayed": {
        "zh": "✓ 已轉發給發問者（#Q{id}）。",
        "en": "✓ Relayed to the worker (#Q{id}).",
    },
    "ib_undeliverable": {
        "zh": "未能轉發 #Q{id}：發問者的對話已無法聯絡（例如已封鎖本機械人）。",
        "en": "Could not relay #Q{id}: the worker's chat can no longer be reached (they may have blocked the bot).",
    },
    "ib_unknown": {
        "zh": "找不到這個問題（#Q{id}）。",
        "en": "I can't find this question (#Q{id}).",
    },
    # -- /review, knowledge files over Telegram, the /stats chart (issue 12) ----------------------
    "adm_cmd_review": {
        "zh": "檢視未能回答的問題並教導機械人",
        "en": "Review unanswered questions and teach the bot",
    },
    "adm_cmd_knowledge": {
        "zh": "下載或上載知識檔案",
        "en": "Download or upload the knowledge files",
    },
    "rv_none": {
        "zh": "暫時沒有需要檢視的問題：自上次檢視後的問題都已回答或已處理。",
        "en": "Nothing to review: every question since the last review was answered or has been dealt with.",
    },
    "rv_header": {
        "zh": "有 {count} 組問題需要檢視（最常問的先列出，以下顯示 {shown} 組）。每組可以：教機械人把它當作某一項的問法、標示為「文件沒有提及」，或略過。",
        "en": "{count} question(s) to review, most asked first ({shown} shown). For each: teach it as a way of asking "
        "about an entry, mark it as not in the documents, or skip it.",
    },
    "rv_item": {
        "zh": "❓「{question}」（被問了 {count} 次）",
        "en": "❓ “{question}” (asked {count} times)",
    },
    "rv_variants": {"zh": "其他問法：{texts}", "en": "Also asked as: {texts}"},
    "rv_replied_decline": {
        "zh": "機械人當時回答：不知道。",
        "en": "The bot replied that it did not know.",
    },
    "rv_replied_choose": {
        "zh": "機械人當時請對方選擇：{titles}",
        "en": "The bot asked them to choose: {titles}",
    },
    "rv_replied_answer": {
        "zh": "機械人當時不太肯定地回答了：{titles}",
        "en": "The bot answered, unsure, with: {titles}",
    },
    "rv_candidates": {"zh": "最可能相關的項目：", "en": "The most likely entries:"},
    "rv_no_candidates": {
        "zh": "沒有相近的項目。如果文件有提及，可以用 /knowledge 加入新項目。",
        "en": "No entry seems close. If the documents cover it, add an entry with /knowledge.",
    },
    "rv_teach_button": {
        "zh": "➕ 當作「{title}」的問法",
        "en": "➕ teach as a phrasing of “{title}”",
    },
    "rv_dismiss_button": {"zh": "🚫 文件沒有提及", "en": "🚫 Not in the documents"},
    "rv_skip_button": {"zh": "⏭ 略過", "en": "⏭ Skip"},
    "rv_taught": {
        "zh": "✅ 由現在起，「{question}」→ {title}。（已加入 {file} 項目 {entry} 的{form}問法。）",
        "en": "✅ From now on, “{question}” → {title}. (Added to {file}, entry {entry}, among its {form} sample questions.)",
    },
    "rv_form_zh-Hant": {"zh": "繁體書面語", "en": "written Chinese (Traditional)"},
    "rv_form_yue": {"zh": "粵語", "en": "Cantonese"},
    "rv_form_zh-Hans": {"zh": "簡體", "en": "Simplified Chinese"},
    "rv_form_en": {"zh": "英文", "en": "English"},
    "rv_taught_unsure": {
        "zh": "注意：機械人仍未能直接用這一項回答「{question}」，可能要在 /knowledge 為該項加上別名（aliases）。",
        "en": "Note: the bot still does not answer “{question}” with this entry outright; it may need an alias "
        "(aliases) added with /knowledge.",
    },
    "rv_dismissed": {
        "zh": "🚫「{question}」已標示為文件沒有提及，不會再列出。",
        "en": "🚫 “{question}”: marked as not in the documents; it will not come back.",
    },
    "rv_skipped": {
        "zh": "⏭「{question}」已略過；如果再有人問，會再列出。",
        "en": "⏭ “{question}”: skipped; it comes back if someone asks it again.",
    },
    "rv_gone": {"zh": "這一組已經處理了。", "en": "This item was already dealt with."},
    "rv_entry_gone": {
        "zh": "該項目已不存在，請再用 /review。",
        "en": "That entry no longer exists; send /review again.",
    },
    "rv_refused_layout": {
        "zh": "未能在不改動 {file} 排版的情況下加入，請用 /knowledge 下載檔案後手動加入。",
        "en": "I could not add it without changing the layout of {file}; add it by hand with /knowledge.",
    },
    "rv_refused_duplicate": {
        "zh": "「{question}」已經是該項目的問法。",
        "en": "“{question}” is already a sample question of that entry.",
    },
    "ch_invalid": {
        "zh": "沒有儲存：改動後知識檔案會有 {count} 個錯誤。機械人繼續用原有的知識回答。錯誤如下：",
        "en": "Not saved: with this change the knowledge would have {count} error(s). The bot keeps answering "
        "from the current files. The errors:",
    },
    "ch_undo_button": {"zh": "↩ 復原", "en": "↩ Undo"},
    "ch_undone": {
        "zh": "↩ 已復原：{file} 已回復到改動 #{id} 之前的樣子，並已重新載入。",
        "en": "↩ Undone: {file} is back as it was before change #{id}, and in use.",
    },
    "ch_undo_already": {"zh": "這項改動已經復原了。", "en": "This change was already undone."},
    "ch_undo_expired": {
        "zh": "已超過 {hours} 小時，不能一按復原；請用 /knowledge 上載舊檔案。",
        "en": "Too late to undo with a tap (over {hours} hours); send the old file with /knowledge instead.",
    },
    "ch_undo_changed": {
        "zh": "{file} 之後再有改動；請先復原較後的改動，或用 /knowledge 上載檔案。",
        "en": "{file} has changed since; undo the later change first, or send the file with /knowledge.",
    },
    "ch_reload_failed": {
        "zh": "檔案已檢查，但未能重建索引，改動已撤回：",
        "en": "The file was checked but the index could not be rebuilt, so the change was rolled back:",
    },
    "ch_busy": {
        "zh": "正在套用另一項改動，請稍後再試。",
        "en": "Another change is being applied; please try again in a moment.",
    },
    "kn_intro": {
        "zh": "以下是 {count} 個知識檔案。要修改其中一個：打開它、修改，然後把檔案（同一個檔名）傳回給我。"
        "儲存之前，我會先檢查並列出改動，由你確認。",
        "en": "Here are the {count} knowledge files. To change one: open it, edit it, and send it back to me as a file "
        "with the same name. I check it and show you what changes before anything is saved.",
    },
    "kn_bad_name": {
        "zh": "請傳送與知識檔案同名的 .yaml 檔案（例如 rpl.yaml）；「{name}」不是這樣的名稱。",
        "en": "Please send a .yaml file named like the knowledge files (for example rpl.yaml); “{name}” is not such a name.",
    },
    "kn_too_big": {
        "zh": "檔案太大（{size} KB，上限 {limit} KB）。",
        "en": "That file is too large ({size} KB; the limit is {limit} KB).",
    },
    "kn_download_failed": {
        "zh": "未能從 Telegram 下載檔案，請再傳送一次。",
        "en": "I could not download the file from Telegram; please send it again.",
    },
    "kn_refused": {
        "zh": "{file} 沒有儲存：有 {count} 個錯誤。機械人繼續用原有的檔案回答。請修正以下錯誤後再傳送：",
        "en": "{file} was not saved: {count} error(s). The bot keeps answering from the current files. "
        "Fix these and send it again:",
    },
    "kn_unchanged": {
        "zh": "{file} 與現有的檔案相同，不需要改動。",
        "en": "{file} is the same as the current one: nothing to do.",
    },
    "kn_new_file": {"zh": "{file} 是新的知識檔案。", "en": "{file} is a new knowledge file."},
    "kn_diff": {
        "zh": "{file} 已檢查，沒有錯誤。確認後：新增 {added} 項、修改 {changed} 項、刪除 {removed} 項。",
        "en": "{file} checked: no errors. If you confirm: {added} entries added, {changed} changed, {removed} removed.",
    },
    "kn_figures": {
        "zh": "數字或日期有改動的項目：",
        "en": "Entries whose figures or dates change:",
    },
    "kn_figure_line": {
        "zh": "• {entry}：{before} → {after}",
        "en": "• {entry}: {before} → {after}",
    },
    "kn_confirm_button": {"zh": "✅ 儲存並使用", "en": "✅ Save and use it"},
    "kn_cancel_button": {"zh": "✖ 取消", "en": "✖ Cancel"},
    "kn_cancelled": {
        "zh": "已取消：{file} 沒有改動。",
        "en": "Cancelled: {file} was not changed.",
    },
    "kn_applied": {
        "zh": "✅ {file} 已儲存（舊檔案已備份）並已使用：共 {entries} 項。",
        "en": "✅ {file} saved (the old one is kept as a backup) and in use: {entries} entries.",
    },
    "kn_stale": {
        "zh": "你傳送之後，{file} 已有其他改動；請再傳送一次，讓我與最新的檔案比較。",
        "en": "{file} changed after you sent yours; send it again so I check it against the current one.",
    },
    "kn_already": {
        "zh": "這個檔案已經儲存或取消了。",
        "en": "This file was already saved or cancelled.",
    },
    "st_chart_top": {"zh": "最常問的題目：", "en": "Top subjects:"},
    # -- faults (issue 15): bounded reload reports, broadcast previews Telegram refuses ------------
    "adm_reload_more": {
        "zh": "…… 另有 {count} 個錯誤（執行 `bot.py check-knowledge` 查看全部）",
        "en": "… and {count} more (run `bot.py check-knowledge`)",
    },
    "bc_refused": {
        "zh": "Telegram 拒絕了公告 #{id} 的預覽，所以不會發送（原因：{reason}）。請修改內容後再試。",
        "en": "Telegram refused the preview of broadcast #{id}, so it will not be sent ({reason}). Please edit it and try again.",
    },
}
