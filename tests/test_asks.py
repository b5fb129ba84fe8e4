"""Questions for things the documents never give (fees, contacts, salaries...) are declined honestly."""

from __future__ import annotations

import pytest

from bot.kb.asks import unanswerable_ask
from bot.kb.text import fold

AI_ENTRY = "報告指政府預留10億港元成立香港人工智能研發院。 The government reserved HK$1 billion for an AI institute."


@pytest.mark.parametrize(
    "question, key",
    [
        ("做升降機技工一個月人工有幾多？", "salary"),
        ("What salary can a technician expect?", "salary"),
        ("香港老年學會電話幾多號？", "contact"),
        ("IVE 課程學費要幾多錢？", "fee"),
        ("做保安要考咩牌？", "licence"),
        ("What are the entry requirements for a higher diploma?", "admission"),
        ("ERB 課程有冇津貼？", "allowance"),
    ],
)
def test_asks_for_what_an_entry_does_not_state_are_recognised(question, key):
    ask = unanswerable_ask(
        fold(question), "VPES 是 VTC 在深圳成立的公司。 VPES was set up by VTC in Shenzhen."
    )
    assert ask is not None and ask.key == key


@pytest.mark.parametrize(
    "question",
    [
        "香港人工智能研發院有咩用？",  # 人工智能 is AI, not pay
        "How much funding did the Innovation and Technology Fund give out?",
        "What is the AI institute for?",
    ],
)
def test_ordinary_questions_are_not_mistaken_for_asks(question):
    assert unanswerable_ask(fold(question), AI_ENTRY) is None


def test_an_entry_that_states_the_thing_answers_it():
    assert (
        unanswerable_ask(
            fold("How much does GWIN cost compared with 5G?"), "GWIN costs less than 5G."
        )
        is None
    )
    assert unanswerable_ask(fold("成立研發院要幾多錢？"), AI_ENTRY) is None  # HK$ figure present
