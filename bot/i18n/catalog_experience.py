"""User-facing strings of the worker and admin experience in Telegram (issue 11): the main menu and the
bot's descriptions, the hand-off to a person, /check's ways out, the /schemes guide, the reload report,
captions, edits and voice notes, /stats' use figures, 👍/👎 and sharing. Merged into bot/i18n/catalog.py.

Plain text only: the renderers escape every string. `zh` is Traditional Chinese (Hong Kong), written so
the derived Simplified text reads naturally too. Toasts (answerCallbackQuery) stay under 200 characters;
the description under 512, the short description under 120 (Telegram's limits).
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # -- 1. welcome, main menu, descriptions ------------------------------------------------------
    "mx_menu_check": {"zh": "✅ 我可以申請甚麼？", "en": "✅ What can I apply for?"},
    "mx_menu_schemes": {"zh": "📚 瀏覽計劃", "en": "📚 Browse schemes"},
    "mx_menu_events": {"zh": "📅 活動及日期", "en": "📅 Events and dates"},
    "mx_menu_search": {"zh": "🔎 搜尋", "en": "🔎 Search"},
    "mx_menu_lang": {"zh": "🌐 語言", "en": "🌐 Language"},
    "mx_menu_about": {"zh": "ℹ️ 資料來源", "en": "ℹ️ Sources"},
    "mx_menu_back": {"zh": "« 主選單", "en": "« Main menu"},
    "mx_menu_title": {"zh": "主選單", "en": "Main menu"},
    "mx_menu_prompt": {
        "zh": "想知道甚麼？按一個按鈕，或者直接輸入問題。",
        "en": "What would you like to know? Tap a button, or just type your question.",
    },
    "mx_welcome_tail": {
        "zh": "按下面的按鈕開始：/check 逐步評估你可以申請甚麼，/schemes 按類別瀏覽計劃，/events 查看活動及重要日期；"
        "也可以直接輸入問題，或按上面的例子。/lang 選擇回覆語言。",
        "en": "Tap a button below to start: /check works out step by step what you may apply for, /schemes browses "
        "schemes by category, /events lists events and key dates; or just type your question, or tap an "
        "example above. /lang chooses the language of my replies.",
    },
    "mx_description": {
        "zh": "我根據官方文件，解答香港職業培訓及資歷計劃的問題：過往資歷認可、資歷架構、車輛維修技工註冊、"
        "安老服務業進修等，每個答案都註明來源。可以用繁體、簡體、廣東話或英文發問，"
        "或者用 /check 逐步評估你可以申請甚麼。我答不到的，可以轉交真人職員。",
        "en": "I answer questions about Hong Kong's vocational training and qualification schemes from official "
        "documents: Recognition of Prior Learning, the Qualifications Framework, vehicle mechanic registration, "
        "elderly care training and more, always naming the source. Ask in English or Chinese, or use /check "
        "to work out step by step what you may apply for. What I can't answer, I pass to a person.",
    },
    "mx_short_description": {
        "zh": "職業培訓及資歷計劃問答：根據官方文件回答並註明來源；/check 逐步評估申請資格。",
        "en": "Vocational training and qualification schemes: answers from official documents, with sources.",
    },
    # -- 2. hand-off and button ownership ------------------------------------------------------------
    "mx_not_your_buttons": {
        "zh": "這些按鈕屬於另一位發問者的回覆。想問自己的問題，可以用 /ask。",
        "en": "These buttons belong to someone else's question. Ask your own with /ask.",
    },
    "mx_lang_zh-Hant": {"zh": "繁體中文", "en": "Traditional Chinese"},
    "mx_lang_zh-Hans": {"zh": "簡體中文", "en": "Simplified Chinese"},
    "mx_lang_en": {"zh": "英文", "en": "English"},
    "mx_inbox_item": {
        "zh": "🙋 #Q{id} {who} 想問真人職員（{lang}，{where}）：",
        "en": "🙋 #Q{id} {who} asks for a person ({lang}, {where}):",
    },
    "mx_inbox_group": {"zh": "群組「{title}」", "en": "group “{title}”"},
    "mx_inbox_someone": {"zh": "一位使用者", "en": "A worker"},
    "mx_inbox_turns": {"zh": "之前的對話：", "en": "Earlier in the conversation:"},
    "mx_turn_declined": {"zh": "（答不到）", "en": "(could not answer)"},
    "mx_turn_choices": {"zh": "（列出選擇：{titles}）", "en": "(offered choices: {titles})"},
    "mx_turn_other": {"zh": "（其他回覆）", "en": "(other reply)"},
    "mx_inbox_not_admin": {
        "zh": "只有本服務的管理員可以回覆工友的問題，你的回覆沒有轉發。",
        "en": "Only the bot's admins can answer workers' questions; your reply was not passed on.",
    },
    # -- 3. /check ---------------------------------------------------------------------------------------
    "mx_chk_other": {"zh": "其他／都不是", "en": "Other / none of these"},
    "mx_chk_not_covered": {
        "zh": "你的情況不在我手上文件涵蓋的範圍內，我不想亂估答錯你。按「🙋 問真人職員」可以把情況轉交職員，"
        "或者按「上一題」改答案。",
        "en": "Your situation is not covered by the documents I have, and I'd rather not guess. Tap "
        "“🙋 Ask a person” to pass it to our staff, or “Back” to change an answer.",
    },
    "mx_chk_not_covered_alone": {
        "zh": "你的情況不在我手上文件涵蓋的範圍內，我不想亂估答錯你。請向有關機構查詢，或者按「上一題」改答案。",
        "en": "Your situation is not covered by the documents I have, and I'd rather not guess. Please ask the "
        "organisation concerned, or tap “Back” to change an answer.",
    },
    "mx_chk_other_log": {
        "zh": "[評估] {facts}；其他：{question}",
        "en": "[check] {facts}; other: {question}",
    },
    "mx_chk_continue": {
        "zh": "想繼續逐步評估，可以按下面的答案：",
        "en": "To continue the check step by step, tap an answer below:",
    },
    "mx_chk_continue_private": {"zh": "到私人對話繼續評估", "en": "Continue the check in private"},
    "mx_chk_typed": {"zh": "收到：{answer}", "en": "Got it: {answer}"},
    # -- 5. /schemes as a guide ----------------------------------------------------------------------------
    "mx_back_to_list": {"zh": "« 返回列表", "en": "« Back to the list"},
    "mx_search_topic": {"zh": "🔎 在這個類別搜尋", "en": "🔎 Search this category"},
    # -- 6. reload report --------------------------------------------------------------------------------
    "mx_reload_caused": {
        "zh": "（另有 {count} 個錯誤由此引起）",
        "en": "(and {count} errors caused by it)",
    },
    # -- 7. inputs ----------------------------------------------------------------------------------------
    "mx_voice": {
        "zh": "我暫時聽不到語音或影片訊息，請用文字輸入你的問題，例如：「過往資歷認可免試期幾時完？」",
        "en": "I can't listen to voice or video messages yet; please type your question, for example: "
        '"When does the RPL exemption period end?"',
    },
    # -- 8. /stats ---------------------------------------------------------------------------------------
    "mx_st_use": {
        "zh": "按鈕查看 {buttons} 次；完成資格評估 {checks} 次；答案評價 👍 {up}／👎 {down}。",
        "en": "Topics opened by button: {buttons}; eligibility checks completed: {checks}; answers rated "
        "👍 {up} / 👎 {down}.",
    },
    # -- 9. feedback, sharing ------------------------------------------------------------------------------
    "mx_fb_up": {"zh": "謝謝你的評價！", "en": "Thanks for your feedback!"},
    "mx_fb_down": {"zh": "謝謝，我們會改善這個答案。", "en": "Thanks; we'll work on this answer."},
    "mx_fb_not_yours": {
        "zh": "只有發問的人可以評價這個答案。",
        "en": "Only the person who asked can rate this answer.",
    },
    "mx_share": {"zh": "↗ 分享", "en": "↗ Share"},
}
