"""User-facing strings of the /check conversation (bot/telegram/handlers/check.py), merged into
bot/i18n/catalog.py like catalog_telegram.py.

Plain text only: the handler escapes every string before it meets markup. `zh` is Traditional
Chinese (Hong Kong), written so the derived Simplified text reads naturally too. The questions,
the answer buttons and the outcomes themselves come from knowledge/rules.yaml, not from here.
Texts shown in answerCallbackQuery (`chk_stale`, `chk_ended`) stay under 200 characters.
"""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "chk_title": {"zh": "申請資格評估", "en": "Eligibility check"},
    "chk_intro": {
        "zh": "我會逐一問你幾條問題，只問評估需要的資料，然後根據資料來源告訴你可以申請甚麼、下一步找誰。",
        "en": "I'll ask you a few questions, one at a time and only what the check needs, then tell you "
        "what you may apply for according to the source and whom to contact next.",
    },
    "chk_so_far": {"zh": "你的回答：{facts}", "en": "Your answers: {facts}"},
    "chk_step": {"zh": "第 {n} 題", "en": "Question {n}"},
    "chk_back": {"zh": "« 上一題", "en": "« Back"},
    "chk_cancel": {"zh": "✖ 取消", "en": "✖ Cancel"},
    "chk_again": {"zh": "🔄 重新評估", "en": "🔄 Check again"},
    "chk_result_title": {"zh": "評估結果", "en": "Your result"},
    "chk_cancelled": {
        "zh": "已取消評估。想再試的話，隨時發送 /check。",
        "en": "Check cancelled. Send /check whenever you'd like to try again.",
    },
    "chk_timeout": {
        "zh": "你有一段時間沒有回答，所以我先結束了這次評估。想再試的話，發送 /check 就可以。",
        "en": "You haven't answered for a while, so I've closed this check. Send /check to start again whenever you like.",
    },
    "chk_group": {
        "zh": "為免洗版，評估會在你和我的私人對話中進行。按下面的按鈕開始。",
        "en": "To keep the group tidy, the check happens in a private chat with me. Tap the button below to start.",
    },
    "chk_group_button": {"zh": "到私人對話開始評估", "en": "Start the check in private"},
    "chk_stale": {"zh": "這個按鈕已經過期。", "en": "This button has expired."},
    "chk_ended": {
        "zh": "這次評估已經結束，發送 /check 可以重新開始。",
        "en": "This check has ended; send /check to start a new one.",
    },
    "chk_nothing_to_cancel": {
        "zh": "現在沒有進行中的評估。發送 /check 開始評估你的申請資格。",
        "en": "There's no check in progress. Send /check to check what you may apply for.",
    },
    "chk_unavailable": {
        "zh": "抱歉，資格評估暫時未能使用。你可以直接輸入問題，例如：「我做咗十年護理員，冇中五，可以點進修？」",
        "en": "Sorry, the eligibility check is not available right now. You can type your question instead, "
        'for example: "I\'m a care worker without Form 5, what can I apply for?"',
    },
    # For the command menu and /help, if /check is added to them (bot/telegram/render.py).
    "tg_cmd_check": {
        "zh": "逐步評估你的申請資格",
        "en": "Check step by step what you may apply for",
    },
}
