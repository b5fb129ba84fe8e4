"""Conversations: a follow-up leans on the last subject or the last ask, a new question starts afresh,
and a conversation forgets after a while. Our own phrasings over the real knowledge base."""

from __future__ import annotations

import json
import os

import pytest

from bot.dialogue import Conversation, Conversations
from tests.conftest import FakeClock
from tests.helpers import bot_main, real_assistant


@pytest.fixture(scope="module")
def assistant():
    return real_assistant()


def talk(assistant, *turns: str, conversation: Conversation | None = None):
    conversation = conversation if conversation is not None else Conversation()
    return [assistant.answer(turn, conversation=conversation) for turn in turns]


def test_an_ask_alone_is_about_the_last_subject_and_says_which_it_took(assistant):
    first, follow = talk(assistant, "安老服務業 RPL 由幾時開始擴展到社區照顧？", "咁幾時截止？")
    assert first.answered and follow.answered
    assert "2028年8月31日" in follow.text
    assert follow.lead.startswith("（關於：")  # the subject it leaned on is visible


def test_a_follow_up_with_two_asks_leans_on_the_last_subject(assistant):
    _, follow = talk(
        assistant, "貿易界別嘅招聘廣告最多係咩職位？", "佔幾多%？上一年度最多又係咩？"
    )
    assert follow.answered and follow.entries[0] == "am-job-ads-trading"
    assert "23.8%" in follow.text and "採購員" in follow.text


def test_a_bare_ask_stays_with_the_entry_just_answered(assistant):
    _, follow = talk(assistant, "工程服務界別招聘廣告最多係咩職位？", "佔幾多%？")
    assert follow.entries[0] == "am-job-ads-engineering-services"


def test_the_named_subject_stays_when_another_entry_answered_the_ask(assistant):
    # The Education Bureau answers "who funds it", but the next ask is about the scheme.
    first, follow = talk(assistant, "學習體驗獎勵計劃係邊個出錢？", "幾時開始接受申請？")
    assert "教育局" in first.text
    assert follow.answered and "3月" in follow.text


def test_a_sibling_named_inside_quotes_and_a_classifier_is_found(assistant):
    _, swap = talk(assistant, "「貿易」類招聘廣告最多係咩職位？", "咁「工程服務」類呢？")
    assert swap.entries == ["am-job-ads-engineering-services"]


def test_who_assesses_after_a_scheme_is_that_schemes_assessor(assistant):
    _, follow = talk(assistant, "安老服務業 RPL 由幾時開始擴展到社區照顧？", "咁評估機構係邊個？")
    assert follow.answered and "香港老年學會" in follow.text


def test_a_subject_alone_takes_the_last_ask(assistant):
    _, _, swap = talk(
        assistant, "車輛維修技工自願註冊計劃有咩類別？", "電工服務可以攞咩資歷？", "咁B1呢？"
    )
    assert swap.answered and swap.entries == ["vmvrs-category-b1"]
    assert "車身修理" in swap.text and "三級" in swap.text


def test_what_about_another_sector_asks_the_same_of_it(assistant):
    _, other = talk(
        assistant,
        "In the manufacturing sector, which job had the most ads in 2024-2025?",
        "what about engineering services?",
    )
    assert other.answered and "chemist" in other.text.lower()


def test_a_follow_up_the_documents_do_not_answer_is_the_exact_not_stated_for_that_subject(
    assistant,
):
    _, fee = talk(assistant, "安老 RPL 免試期去到幾時？", "要唔要錢㗎？")
    assert not fee.answered and fee.kind == "decline"
    assert fee.text.startswith("文件沒有提到") and "費用" in fee.text


def test_a_complete_new_question_is_read_alone(assistant):
    _, new = talk(assistant, "安老 RPL 免試期去到幾時？", "VPES 喺邊個城市？")
    assert new.answered and "深圳" in new.text and not new.lead


def test_a_topic_switch_forgets_the_last_subject(assistant):
    conversation = Conversation()
    talk(assistant, "安老 RPL 免試期去到幾時？", conversation=conversation)
    switched = assistant.answer("換個話題，機電署署長係邊個？", conversation=conversation)
    assert switched.answered and "安老" not in switched.text


def test_an_unrelated_message_does_not_lean_on_the_last_subject(assistant):
    _, off = talk(assistant, "安老 RPL 免試期去到幾時？", "今晚食咩好？")
    assert not off.answered


def test_a_follow_up_after_the_conversation_expired_is_read_alone(assistant):
    clock = FakeClock()
    conversation = Conversation(clock=clock, ttl=60)
    talk(assistant, "安老 RPL 免試期去到幾時？", conversation=conversation)
    clock.now += 61
    late = assistant.answer("咁評估機構係邊個？", conversation=conversation)
    assert "香港老年學會" not in late.text or not late.lead


def test_a_button_sets_the_subject_for_the_next_question(assistant):
    conversation = Conversation()
    assistant.answer_entry("rpl-elderly-care", "zh-Hant", conversation)
    follow = assistant.answer("評估機構係邊個？", conversation=conversation)
    assert follow.answered and "香港老年學會" in follow.text


def test_the_language_may_change_mid_conversation(assistant):
    _, english = talk(
        assistant, "安老 RPL 免試期去到幾時？", "sorry, in English please: who assesses it?"
    )
    assert english.lang == "en" and "Gerontology" in english.text


def test_conversations_are_kept_per_key_and_the_oldest_forgotten_past_the_limit():
    clock = FakeClock()
    store = Conversations(limit=2, ttl=60, clock=clock)
    store.get("a").remember("subject a", "", ("x",), "en")
    store.get("b").remember("subject b", "", ("y",), "en")
    store.get("c")
    assert len(store) == 2 and store.get("b").subject == "subject b"
    assert store.get("a").subject == ""  # forgotten when "c" came
    clock.now += 61
    assert store.get("b").subject == ""  # expired


def test_the_cli_keeps_one_conversation_per_chat_field():
    lines = [
        {"id": 1, "q": "安老 RPL 免試期去到幾時？", "chat": "a"},
        {"id": 2, "q": "VPES 喺邊個城市？", "chat": "b"},
        {"id": 3, "q": "咁評估機構係邊個？", "chat": "a"},
        {"id": 4, "q": "咁評估機構係邊個？"},
    ]
    out = bot_main(
        "ask",
        "--jsonl",
        "-",
        env=dict(os.environ),
        stdin="\n".join(json.dumps(x, ensure_ascii=False) for x in lines),
    )
    replies = {r["id"]: r for r in map(json.loads, out.stdout.splitlines())}
    assert "香港老年學會" in replies[3]["text"]  # chat "a" remembers its subject
    assert "關於" not in replies[4]["text"]  # a line without a chat stands alone


def test_that_committee_is_the_one_talked_about_not_another_with_a_chair(assistant):
    _, follow = talk(assistant, "服裝業嘉許禮喺邊度搞？", "嗰個諮委會主席係邊個？")
    assert not follow.answered  # the garment committee's chair is not in the documents
    assert "李耀培" not in follow.text  # the automotive committee's chair is another committee's
    assert "服裝業" in follow.text


def test_that_committee_after_a_committee_with_a_chair_is_answered(assistant):
    _, follow = talk(assistant, "汽車業諮委會做過啲咩？", "那個諮委會的主席是誰？")
    assert follow.answered and "李耀培" in follow.text


def test_a_day_asked_when_only_the_year_is_given_is_not_stated(assistant):
    _, when, day = talk(
        assistant, "第二屆綠色創科日點解要延期？", "改咗去幾時？", "實際係邊日舉行？"
    )
    assert when.answered and "明年" in when.text
    assert not day.answered and "沒有提到" in day.text


def test_a_follow_up_naming_nothing_stays_with_the_subject_that_states_its_fact(assistant):
    # "Which organisations came to share?" also fits a signing ceremony's guests; the session just
    # talked about names its speakers.
    _, follow = talk(assistant, "VQP應用分享會喺邊日舉行？", "邊啲機構有人出席分享經驗？")
    assert follow.answered and "社會福利署" in follow.text


def test_a_short_english_follow_up_leans_on_the_last_subject(assistant):
    _, follow = talk(
        assistant, "When was the security ITAC's tenth anniversary held?", "how many people came?"
    )
    assert follow.answered and "60" in follow.text


def test_a_count_asked_of_a_thing_given_to_apply_for_is_the_count_stated(assistant):
    # "幾多個資歷俾人申請": the noun is 資歷, not "資歷俾人".
    _, follow = talk(assistant, "安老服務業RPL擴展咗去邊度？", "咁而家總共有幾多個資歷俾人申請？")
    assert follow.answered and "45" in follow.text


def test_an_english_subject_is_remembered_with_its_spaces(assistant):
    conversation = Conversation()
    talk(assistant, "Where did the QF promotional vehicle go?", conversation=conversation)
    assert "qf promotional vehicle" in conversation.subject


def test_after_that_is_the_next_step_of_the_path_just_told(assistant):
    _, follow = talk(assistant, "我係護理員但冇中五，點樣可以做保健員？", "讀完個證書之後呢？")
    assert follow.answered and "保健員訓練課程" in follow.text


def test_a_name_two_entries_share_is_the_one_the_conversation_is_about(assistant):
    # Two launch ceremonies: elderly care RPL's (18 Oct 2023) and the mechanics' scheme's (17 Nov).
    *_, elderly = talk(assistant, "安老 RPL 評估機構係邊個？", "佢哋個啟動禮係幾時？")
    assert elderly.answered and "2023年10月18日" in elderly.text
    *_, mechanics = talk(assistant, "車輛維修技工自願註冊計劃有咩類別？", "啟動禮邊日搞？")
    assert mechanics.answered and "2023年11月17日" in mechanics.text
    *_, speaker = talk(assistant, "車輛維修技工自願註冊計劃有咩類別？", "啟動禮上邊位官員致辭？")
    assert speaker.answered and speaker.text.find("麥震宇") < speaker.text.find("彭耀雄")


def test_this_scheme_is_the_one_the_last_answer_named_when_it_states_the_fact(assistant):
    # The anniversary answer names the admission scheme (VPAS); "this scheme's seminars" are its
    # seminars, whose attendance the documents give, not the anniversary's.
    *_, seminars = talk(assistant, "VPES 一周年點樣慶祝？", "呢個計劃嘅講座有幾多人參加過？")
    assert seminars.answered and "5,000" in seminars.text


def test_a_vague_pointer_to_a_document_does_not_override_the_question_itself(assistant):
    # "講話入面" names no document for sure: the speech's postponed Green I&T Day is still found.
    answer = assistant.answer("講話入面講到第二屆綠色創科日要延期，原因係咩？")
    assert answer.answered and "疫情" in answer.text
    person = assistant.answer("新聞入面提到嘅彭耀雄先生係咩職位？")
    assert person.answered and "機電工程署署長" in person.text


def test_a_pointer_with_a_classifier_leans_on_the_last_subject(assistant):
    # "呢條路" (this path) names nothing else: the path just told, and who told it there.
    *_, who = talk(assistant, "我係護理員冇中五，點樣可以做保健員？", "呢條路係邊個部門講㗎？")
    assert who.answered and "社會福利署" in who.text


def test_the_year_before_asks_the_same_table_of_another_year(assistant):
    *_, before = talk(
        assistant, "Trading sector: which job had the most ads in 2024-25?", "and the year before?"
    )
    assert before.answered and "2023-2024" in before.text and "Trading" in before.lead


def test_next_year_in_cantonese_is_a_time_after_the_documents(assistant):
    *_, later = talk(assistant, "車輛維修技工自願註冊計劃有咩類別？", "出年會唔會多個新類別？")
    assert not later.answered and "2024年1月" in later.text
