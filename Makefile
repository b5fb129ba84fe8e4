# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test install index check typecheck eval bench bench-telegram bench-broadcast bench-conversations console clean

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found); set PYTHON=..."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): $(VENV)/bin/python requirements.txt requirements-test.txt
	$(PY) -m pip install --quiet -r requirements-test.txt
	@touch $(STAMP)

install: $(STAMP)

index: install
	$(PY) bot.py build-index

check: install
	$(PY) bot.py check-knowledge

run: index
	$(PY) bot.py run

console: index
	$(PY) bot.py console

typecheck: install
	$(PY) -m mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: install
	$(PY) bot.py check-knowledge
	$(PY) -m mypy
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

eval: index
	$(PY) -m scripts.eval ../shared/eval/dev.jsonl ../shared/eval/eligibility.jsonl ../shared/eval/chat.jsonl ../shared/eval/multiturn.jsonl tests/data/questions.jsonl tests/data/questions_holdout.jsonl tests/data/blind_chat.jsonl tests/data/blind_multiturn.jsonl tests/data/blind_chat2.jsonl tests/data/blind_multiturn2.jsonl tests/data/blind_chat3.jsonl tests/data/blind_multiturn3.jsonl tests/data/blind_chat4.jsonl tests/data/blind_multiturn4.jsonl tests/data/blind_chat5.jsonl tests/data/blind_multiturn5.jsonl

bench: index
	$(PY) -m scripts.bench

bench-telegram: index
	$(PY) -m scripts.bench_telegram

bench-conversations: index
	$(PY) -m scripts.bench_conversations

bench-broadcast: install
	$(PY) -m scripts.bench_broadcast

clean:
	rm -rf var .pytest_cache .hypothesis .mypy_cache
