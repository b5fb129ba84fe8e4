"""The asked fact first: definitions, two asks at once, stories, near-miss subjects, an exact "the
documents don't say" for every kind of ask, and the reply in the asker's own script.

These read the real knowledge base: they specify what a worker is told about what the documents say.
The phrasings are our own, not the evaluation sets'.
"""

from __future__ import annotations

import pytest

from bot.kb.text import han_count, to_simplified
from bot.kb.understand import read
from tests.helpers import real_assistant


@pytest.fixture(scope="module")
def assistant():
    return real_assistant()


def first_line(text: str) -> str:
    return text.strip().splitlines()[0]


# -- reading a message ------------------------------------------------------------------------------


def test_greetings_thanks_and_emoji_around_a_question_are_set_aside():
    reading = read("hi 早晨🙏 想問下免試期幾時完呀？唔該晒")
    assert [c.text for c in reading.clauses] == ["免试期几时完呀?"]
    assert reading.asks == ["when", "deadline"]


def test_two_asks_in_one_sentence_become_two_clauses():
    reading = read("VPES 接待咗幾多個代表團，又幫咗幾多個教職員去交流？")
    assert len(reading.clauses) == 2 and all("howmany" in c.asks for c in reading.clauses)


def test_a_story_keeps_its_question_sentences_and_the_rest_as_context():
    reading = read("我做咗十年維修。老細成日叫我進修。想問呢個計劃幾時截止？")
    assert [c.text for c in reading.clauses] == ["想问呢个计划几时截止?"]
    assert "老细" in reading.context


def test_a_story_sentence_that_states_what_the_asker_does_is_not_an_ask():
    # "負責" can ask who is in charge, and "十幾年" holds a question word, but a sentence closed by a
    # full stop with no word that asks is the asker's story.
    reading = read("我喺物業公司做咗十幾年，主要負責大廈升降機。想知機電署份協議有冇講電梯？")
    assert [c.text for c in reading.clauses] == ["想知机电署份协议有冇讲电梯?"]
    assert "负责" in reading.context


# -- definitions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, entry",
    [
        ("RPL係乜嘢嚟？", "rpl"),
        ("what's VQP", "vqp"),
        ("LEAS 係咩？", "leas"),
        ("What is the QF", "qf"),
        ("咩係VQP呀😅 啲同事成日講", "vqp"),  # an emoji ends the sentence; "咩係X" asks what X is
    ],
)
def test_what_is_a_known_name_is_answered_by_that_subject(assistant, question, entry):
    answer = assistant.answer(question)
    assert answer.answered and answer.entries == [entry]


# -- the asked fact first ---------------------------------------------------------------------------


def test_the_sentence_with_the_asked_date_comes_first(assistant):
    answer = assistant.answer("穗港那份機電人才備忘錄是哪一天簽的？")
    assert answer.answered
    assert "11月6日" in answer.text[:60]


def test_for_when_the_sentence_with_the_day_comes_before_one_with_bare_years(assistant):
    answer = assistant.answer("When was the security services ITAC's 10th anniversary party?")
    assert answer.answered and answer.text.index("24 July 2023") < 120


def test_the_reports_thing_is_looked_for_among_that_reports_facts(assistant):
    answer = assistant.answer("製造業人力報告嘅職位資料係邊啲網站嚟？")
    assert answer.answered and "JobsDB" in answer.text[:120]


def test_a_which_thing_question_gets_the_subject_of_that_kind(assistant):
    # The question names the innovation facilitator; the thing asked for is a platform.
    answer = assistant.answer("機電署係創新促成者，佢整咗咩網上平台？")
    assert answer.answered and "機電創科網上平台" in answer.text[:40]


def test_the_first_of_two_asks_about_one_event_is_answered_first(assistant):
    # The award shares more words with the whole question; the date was asked first.
    answer = assistant.answer("保安服務業諮委會十周年慶祝活動喺邊日搞？嗰日頒咗咩獎？")
    assert answer.answered
    assert answer.text.index("7月24日") < answer.text.index("學習體驗獎勵計劃")


def test_a_sentence_moved_first_drops_its_link_to_the_one_before():
    from bot.kb.compose import select

    text = "報告列出多項支援措施。此外，政府預留10億港元成立研發院。"
    chosen = select(text, "zh-Hant", ["预留", "研发院"], ["howmany"], lambda w: 3.0, budget=20)
    assert chosen.text.startswith("政府預留10億港元")


def test_a_sentence_that_continues_a_list_is_not_moved_first():
    from bot.kb.compose import select

    text = "報告列出兩類人才：研發人員；以及熟悉人工智能方案的人才。另有其他建議。"
    chosen = select(text, "zh-Hant", ["人工智能"], [], lambda w: 3.0, budget=40)
    assert chosen.text.startswith("報告列出兩類人才")


def test_for_how_many_a_sentence_with_the_figure_comes_before_an_opening_without_one():
    from bot.kb.compose import select

    text = (
        "調查從多個招聘網站蒐集招聘資料並比對行業列表。比對後共得1,234則招聘紀錄。其餘資料作參考。"
    )
    words = ["搜集", "招聘", "纪录"]
    chosen = select(text, "zh-Hant", words, ["howmany"], lambda w: 3.0, budget=40)
    assert chosen.text.startswith("比對後共得1,234則招聘紀錄")


def test_how_many_people_is_a_count_of_people():
    from bot.kb.understand import count_stated, counted

    assert counted("讲座总共有几多人参加过呀?") == "人"
    assert count_stated("人", "累积参与人数超过5,000人")


def test_a_thing_described_not_named_is_answered_when_one_entry_clearly_leads(assistant):
    # Worded like no sample question, but only one entry is a place at the EMSD headquarters.
    answer = assistant.answer("機電署總部大樓入面有個俾人展示科創產品嘅地方，個名係咩？")
    assert answer.answered and "機電創科專區" in first_line(answer.text)


def test_asking_whether_the_report_says_it_is_no_ask_of_its_own(assistant):
    # The pay is not given; "does the report say?" must not turn the reply into an answer.
    answer = assistant.answer("做技術員人工大概幾多？份報告有冇講？")
    assert not answer.answered and "薪酬" in first_line(answer.text)
    english = assistant.answer("What do technicians earn? Does the report say?")
    assert not english.answered and "salary" in first_line(english.text)


def test_a_count_of_things_the_entry_never_mentions_is_not_stated(assistant):
    # The focus group's date and the job records' count are figures, but no count of its members.
    answer = assistant.answer("How many members did the advanced manufacturing focus group have?")
    assert not answer.answered
    places = assistant.answer("How many training places a year does the EMSD-Guangzhou MoU give?")
    assert not places.answered
    typo = assistant.answer("how many VTC studnets went on the GBA Explorer Trips?")
    assert typo.answered and "1,000" in typo.text


def test_a_year_in_the_documents_own_title_is_no_other_edition(assistant):
    answer = assistant.answer(
        "In the 2026 manpower update, by how much did engineering services ads grow?"
    )
    assert answer.answered and "115%" in answer.text


def test_how_many_of_the_first_of_things_joined_is_counted():
    from bot.kb.understand import counted

    assert counted("跟多少所高职和高中院校合作?") == "高职"


def test_a_name_two_entries_share_is_the_one_the_questions_other_names_are_near(assistant):
    elderly = assistant.answer("安老服務業過往資歷認可嘅啟動禮幾時搞？")
    assert elderly.answered and "2023年10月18日" in elderly.text
    mechanics = assistant.answer("車輛維修技工自願註冊計劃嘅啟動禮幾時搞？")
    assert mechanics.answered and "2023年11月17日" in mechanics.text


def test_a_figure_of_the_thing_counted_comes_first_though_the_opening_shares_more_words(assistant):
    answer = assistant.answer("先進製造業人力更新報告嘅桌面研究搵到幾多則招聘紀錄？")
    assert answer.answered and answer.text.index("3,862") < 60


def test_the_holder_of_another_post_does_not_answer_who_holds_this_one(assistant):
    # The memorandum's article names EMSD's Director, not the Guangzhou bureau's head.
    answer = assistant.answer("廣州人社局邊一位局長簽咗份機電人才備忘錄？")
    assert not answer.answered
    director = assistant.answer("簽機電人才備忘錄嗰陣，機電署署長係邊一位？")
    assert director.answered and "薛永恒" in director.text


def test_a_place_that_begins_a_bodys_name_is_no_venue(assistant):
    # Students of Singapore's ITE took part; where the competition was held is not given.
    answer = assistant.answer("大灣區國際青年技能邀請賽喺邊個城市搞㗎？")
    assert not answer.answered and "地點" in first_line(answer.text)


def test_a_count_as_at_another_year_is_not_the_one_asked(assistant):
    answer = assistant.answer("截至2021年底，創新及科技基金批咗幾多個項目？")
    assert not answer.answered and "2021" in first_line(answer.text)
    assert assistant.answer("創新及科技基金批咗幾多個項目？").answered


def test_which_ones_is_not_how_many():
    assert read("分享會有哪幾個機構派代表？").asks == ["who"]
    assert "howmany" not in read("VPES係VTC喺內地第幾個中心？").asks
    assert "howmany" in read("分享會有幾多個機構派代表？").asks


def test_a_known_subject_with_two_asks_answers_both_in_the_order_asked(assistant):
    answer = assistant.answer("VPES 過去一年接待了多少個代表團？又支援了多少位教職員去內地交流？")
    assert answer.answered
    assert answer.text.index("50") < answer.text.index("400")


def test_two_subjects_named_side_by_side_are_each_answered(assistant):
    answer = assistant.answer("whats InnoPortal n InnoZone?")
    assert answer.answered and len(answer.parts) == 2
    assert "online platform" in answer.text and "headquarters" in answer.text


def test_an_answer_is_short_and_ends_with_its_source_and_date(assistant):
    answer = assistant.answer(
        "How often does the Advanced Manufacturing Training Board survey manpower?"
    )
    assert answer.answered and len(answer.text) <= 450
    assert (
        answer.text.splitlines()[-1]
        == "Source: Manpower Update Report – Advanced Manufacturing 2026"
    )


# -- stories ----------------------------------------------------------------------------------------


def test_an_english_story_is_split_at_its_full_stops():
    reading = read(
        "I fix lifts for a living. My boss says EMSD is working with Guangzhou. "
        "Which colleges signed with EMSD?"
    )
    assert [c.text for c in reading.clauses] == ["which colleges signed with emsd?"]
    assert "my boss says" in reading.context  # a statement with "is" in it is not a question


def test_a_long_story_is_answered_from_its_question(assistant):
    story = (
        "我係屋苑嘅機電技工，做咗八年，日日搞大廈電梯。朋友話粵港有機電人才合作。"
        "想知機電署同廣州人社局份備忘錄有冇包升降機保養？"
    )
    answer = assistant.answer(story)
    assert answer.answered and "升降機" in answer.text


# -- near misses: a subject the documents do not have is not replaced by its neighbour ---------------


@pytest.mark.parametrize(
    "question, named",
    [
        ("機電署同深圳人社局有冇簽備忘錄？", "深圳"),
        ("第五屆綠色創科日幾時舉行？", "第五屆"),
        ("Is there a phase 3 of GWIN?", "phase 3"),
    ],
)
def test_a_neighbouring_city_or_edition_is_declined_naming_it(assistant, question, named):
    answer = assistant.answer(question)
    assert not answer.answered and answer.kind == "decline"
    assert named in answer.text
    assert answer.choices, "the subject the documents do cover is offered"


@pytest.mark.parametrize(
    "question, year",
    [
        ("2022年綠色創科日有冇舉行？", "2022年"),
        ("When does the 2026 round of the learning experience award open?", "2026"),
    ],
)
def test_a_year_the_documents_do_not_cover_is_declined_naming_it(assistant, question, year):
    answer = assistant.answer(question)
    assert not answer.answered and year in first_line(answer.text)


def test_a_name_inside_a_longer_name_is_not_that_subject(assistant):
    # "持續進修獎學基金" is a fund the documents never mention, not the report's advice on 持續進修.
    answer = assistant.answer("持續進修獎學基金每人資助幾多？")
    assert not answer.answered and "持續進修" not in first_line(answer.text)


def test_a_next_round_is_not_the_last_round(assistant):
    answer = assistant.answer("學習體驗獎勵計劃下一屆幾時截止？")
    assert not answer.answered
    assert "2024年1月" in answer.text  # what the latest document gives, with its date


def test_this_year_is_answered_with_the_latest_documents_date(assistant):
    answer = assistant.answer(
        "LEAS 今年幾時開始報名？",
    )
    assert answer.answered
    assert "2024年1月" in answer.text and "文件沒有更新的消息" in answer.text


@pytest.mark.parametrize(
    "question",
    ["Will there be another QF promo vehicle tour this year?", "今年會唔會再有QF宣傳車？"],
)
def test_whether_something_happens_this_year_is_not_told_by_an_older_document(assistant, question):
    answer = assistant.answer(question)
    assert not answer.answered and "2023" in answer.text  # what the latest document gives


def test_a_fact_late_in_a_long_entry_is_found_in_english_too(assistant):
    # The entry's Chinese and English text together run past a message's length cap; the check for
    # the count asked must still read the English sentence that gives it.
    answer = assistant.answer("How many job records did the desk research end up with?")
    assert answer.answered and "3,862" in answer.text


def test_two_facts_missing_about_one_subject_are_one_note_naming_both(assistant):
    answer = assistant.answer("香港老年學會地址喺邊？辦公時間係幾點？")
    assert not answer.answered
    assert answer.text.count("文件沒有提到") == 1
    assert "聯絡資料及開放或辦公時間" in answer.text


def test_which_department_of_another_city_is_a_swapped_place(assistant):
    answer = assistant.answer("机电署和澳门哪个部门签了人才备忘录？")
    assert not answer.answered and answer.text.startswith("文件没有提到澳门")


def test_a_second_ask_about_a_swapped_subject_is_not_answered_from_the_real_one(assistant):
    answer = assistant.answer("機電署同深圳人社局簽咗咩備忘錄？幾時簽？")
    assert not answer.answered and "深圳" in answer.text


@pytest.mark.parametrize("question", ["Who is the chair of the VTC?", "VTC嘅主席係邊位？"])
def test_a_post_of_a_named_body_is_not_another_bodys_holder(assistant, question):
    answer = assistant.answer(question)
    assert not answer.answered  # what the documents say of VTC, not a committee's chairman
    assert "Vocational Training Council" in answer.text or "職業訓練局" in answer.text
    assert "李耀培" not in answer.text and "林正財" not in answer.text


def test_a_committee_of_another_industry_is_not_the_one_found(assistant):
    answer = assistant.answer("保險業諮委會主席係邊個？")
    assert not answer.answered
    assert answer.text.startswith("文件沒有提到保險業諮委會")  # then what they say of ITACs
    control = assistant.answer("汽車業諮委會主席係邊個？")
    assert control.answered and "李耀培" in control.text


# -- "the documents don't say", for every kind of ask ------------------------------------------------


@pytest.mark.parametrize(
    "question, missing",
    [
        ("安老RPL要交幾多錢申請？", "費用"),
        ("VPES 辦公室電話幾多號？", "聯絡資料"),
        ("做技術員人工有幾多？", "薪酬"),
        ("香港老年學會幾點開門？", "開放或辦公時間"),
        ("智能火化幾時全港火葬場都用？", "日期"),
        ("香港人工智能研發院會設喺邊區？", "地點"),
        ("香港老年學會個 office 喺邊？", "地點"),
        ("VPES 有冇資助俾學生？", "津貼"),
    ],
)
def test_a_known_subject_without_the_asked_fact_is_declined_saying_what_is_missing(
    assistant, question, missing
):
    answer = assistant.answer(question)
    assert not answer.answered and answer.kind == "decline"
    assert first_line(answer.text).startswith("文件沒有提到") and missing in first_line(
        answer.text
    )
    assert "文件提到的是" in answer.text  # and what the documents do say
    assert answer.choices


def test_an_english_ask_word_glued_to_chinese_is_still_read():
    assert "deadline" in read("VPAS申請deadline係幾時").asks
    assert "who" in read("which Guangdong institution is EMSD working with").asks


def test_a_question_that_names_its_document_is_about_what_follows(assistant):
    answer = assistant.answer("人力更新報告入面講，招聘上面對咩挑戰？")
    assert answer.answered and answer.entries == ["am-recruitment-challenges"]


def test_the_sentence_answering_the_ask_comes_before_the_subjects_own_words(assistant):
    # The subject's name (lifts, escalators) says which entry; "which institution" says which fact.
    answer = assistant.answer(
        "For the lift and escalator monitoring, which institution is EMSD working with?"
    )
    assert "Academy of Sciences" in answer.text[:160]


def test_a_count_of_one_thing_is_not_answered_with_a_count_of_another(assistant):
    # The scheme gives four registration categories, not a number of registered mechanics.
    answer = assistant.answer("車輛維修技工自願註冊計劃有幾多個註冊技工？")
    assert not answer.answered
    assert assistant.answer(
        "VPES 同幾多間內地院校有合作？"
    ).answered  # 院校 of 內地院校 is counted


def test_what_an_entry_records_as_not_given_is_declined_naming_it(assistant):
    # The VPAS entry says the article gives no eligibility: that record answers, not the rest.
    answer = assistant.answer("我朋友喺內地讀高職，佢要咩學歷先可以申請職專畢業生留港計劃？")
    assert not answer.answered and "申請資格" in first_line(answer.text)


def test_a_record_of_what_the_documents_do_not_give_is_a_decline(assistant):
    answer = assistant.answer("VPAS 申請資格係點？")
    assert not answer.answered


def test_a_fact_of_one_trade_is_not_answered_with_another_trades(assistant):
    # Only some elderly care RPL qualifications have an exemption period: a logistics worker's
    # question is told what the documents do give, not elderly care's dates as if they were his.
    answer = assistant.answer("做物流嘅 RPL 都有冇免試期？")
    assert not answer.answered and "物流" in first_line(answer.text)
    english = assistant.answer("Does the logistics RPL come with an exemption period too?")
    assert not english.answered and "logistics" in first_line(english.text).lower()
    # A trade mentioned only as the asker's own is no swap when the asked one is named.
    mine = assistant.answer("我本身做物流，想知安老 RPL 免試期去到幾時？")
    assert mine.answered and "2028年8月31日" in mine.text


def test_a_trade_the_memorandum_names_is_no_registration_the_documents_describe(assistant):
    # The vehicle mechanics' registration is another trade's: never given as the lift's.
    assert not assistant.answer("想做電梯工程師，註冊有咩條件？").answered
    answer = assistant.answer("電梯工程師註冊要咩條件？")
    assert not answer.answered and "電梯" in first_line(answer.text)


def test_the_trade_asked_finds_its_own_fact_among_close_candidates(assistant):
    answer = assistant.answer("安老院同事想做 RPL，評估係邊間機構負責？")
    assert answer.answered and "香港老年學會" in answer.text


def test_a_list_of_trades_answers_whether_one_is_among_them(assistant):
    answer = assistant.answer("職業資歷階梯有冇包埋建造業？")
    assert answer.answered and "物業管理" in answer.text


def test_asking_whether_it_is_expensive_is_a_fee_ask(assistant):
    answer = assistant.answer("安老 RPL 要唔要交錢？貴唔貴㗎？")
    assert not answer.answered and "費用" in first_line(answer.text)
    # Beside an answer to another ask, the fee not given is still said, once and briefly.
    both = assistant.answer("安老 RPL 評估機構叫咩名？貴唔貴㗎？")
    assert both.answered and "香港老年學會" in first_line(both.text)
    assert both.text.count("費用") == 1 and "文件提到的是" not in both.text


def test_another_citys_government_department_is_not_the_memorandums_party(assistant):
    answer = assistant.answer("機電署同澳門邊一個政府部門簽咗人才備忘錄？")
    assert not answer.answered and "澳門" in first_line(answer.text)


# -- the asker's own script ---------------------------------------------------------------------------


def test_english_words_inside_a_cantonese_sentence_get_a_chinese_reply(assistant):
    answer = assistant.answer("hi 想問下 RPL 嘅 exemption period 幾時完 thx")
    assert answer.lang == "zh-Hant" and "2028年8月31日" in answer.text


def test_an_english_sentence_naming_a_chinese_organisation_stays_english(assistant):
    answer = assistant.answer("When does the 香港老年學會 exemption period end?")
    assert answer.lang == "en"


def test_a_bare_acronym_from_a_chinese_speaking_user_gets_chinese(assistant):
    assert assistant.answer("RPL?", prefer="zh-Hant").lang == "zh-Hant"
    assert assistant.answer("RPL?", prefer="zh-Hans").lang == "zh-Hans"
    assert assistant.answer("RPL?").lang == "en"


def test_simplified_questions_get_simplified_replies(assistant):
    answer = assistant.answer("先进制造业报告的焦点小组会议是哪天开的？")
    assert answer.answered and answer.lang == "zh-Hans"
    assert to_simplified(answer.text) == answer.text and han_count(answer.text) > 10


# -- events by time, against today ----------------------------------------------------------------------


def test_events_of_a_month_are_listed_in_date_order(assistant):
    answer = assistant.answer("2023年10月有咩活動？")
    assert answer.answered and answer.text.startswith("2023年10月的活動：")
    assert "服裝業推動資歷架構嘉許禮" in answer.text


def test_whats_coming_says_the_documents_list_nothing_after_today_and_what_is_still_open():
    from datetime import date

    assistant = real_assistant(today=lambda: date(2026, 11, 30))
    answer = assistant.answer("What QF events are coming up?")
    assert not answer.answered
    assert answer.text.startswith("The documents list no events after today (30 November 2026).")
    assert "until 31 August 2028" in answer.text  # the deadline still open
    assert "upcoming" not in answer.text.lower()
