"""White-space folding: the quick path for folded text gives what the plain fold gives."""

from __future__ import annotations

import sys

from hypothesis import given
from hypothesis import strategies as st

from registry_tool.textclean import fold_ws

WHITE_SPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def test_every_white_space_character_but_space_is_unprintable():
    # fold_ws returns printable text as it is when no space doubles or ends it; that is
    # right only because no other white-space character is printable.
    assert [c for c in WHITE_SPACE if c.isprintable()] == [" "]


@given(st.text(alphabet=st.sampled_from(WHITE_SPACE) | st.characters(), max_size=60))
def test_fold_is_the_plain_fold(text):
    assert fold_ws(text) == " ".join(text.split())


def test_examples():
    assert fold_ws("already folded") == "already folded"
    assert fold_ws("  two  spaces\tand\nbreaks ") == "two spaces and breaks"
    assert fold_ws("no\u00a0break") == "no break"
    assert fold_ws("trailing ") == "trailing"
    assert fold_ws(" leading") == "leading"
    assert fold_ws("") == ""
