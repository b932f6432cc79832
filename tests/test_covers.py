"""Cover parsing: scales, auto detection, codes, mappings and the errors people see."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from botaclip.backend.errors import BotaclipError
from botaclip.backend.releves.covers import (
    BRAUN_BLANQUET_PERCENT,
    detect_cover_scale,
    normalise_scale,
    parse_covers,
)

FAST = settings(max_examples=60, deadline=None)
BB_CODES = sorted(BRAUN_BLANQUET_PERCENT)
KNOWN_WORDS = {"r", "x", "y", "n", "yes", "no", "present", "absent", "true", "false", "na",
               "nan", "null", "none", "inf", "infinity", "e"}


def _variant(code: str, upper: bool, pad: str, inner: bool) -> str:
    """A Braun-Blanquet code as people type it: any case, spaces around or inside."""
    c = code.upper() if upper else code
    if inner and len(c) == 2:
        c = c[0] + " " + c[1]
    return pad + c + pad


bb_cells = st.builds(_variant, st.sampled_from(BB_CODES), st.booleans(),
                     st.sampled_from(["", " ", "  "]), st.booleans())


@FAST
@given(st.lists(bb_cells, min_size=1, max_size=40))
def test_braun_blanquet_codes_round_trip(cells):
    nums, scale, kind = parse_covers(cells, "braun-blanquet")
    expected = [BRAUN_BLANQUET_PERCENT["".join(c.lower().split())] for c in cells]
    assert scale == "braun-blanquet" and kind == "cover_percent"
    np.testing.assert_array_equal(nums, expected)


@FAST
@given(st.lists(bb_cells, min_size=0, max_size=30),
       st.sampled_from(["r", "+", "2m", "2a", "2b", "R", " 2 B "]))
def test_auto_reads_braun_blanquet_when_a_bb_only_code_is_there(cells, marker):
    cells = cells + [marker]
    nums, scale, _ = parse_covers(cells)
    assert scale == "braun-blanquet"
    assert nums[-1] == BRAUN_BLANQUET_PERCENT["".join(marker.lower().split())]


@FAST
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=50))
def test_percent_and_fraction_agree(fractions):
    as_fraction, s1, k1 = parse_covers([repr(f) for f in fractions], "fraction")
    as_percent, s2, k2 = parse_covers([f * 100 for f in fractions], "percent")
    assert (s1, s2, k1, k2) == ("fraction", "percent", "cover_percent", "cover_percent")
    np.testing.assert_allclose(as_fraction, as_percent, rtol=1e-12, atol=1e-12)


percent_values = st.floats(0, 100, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(st.lists(percent_values, min_size=0, max_size=40),
       st.floats(1.0, 100, exclude_min=True, allow_nan=False), st.randoms(use_true_random=False),
       st.booleans())
def test_detection_never_reads_percent_above_1_as_fraction(values, big, rnd, as_text):
    values = values + [big]
    rnd.shuffle(values)
    cells = [repr(v) if as_text else v for v in values]
    assert detect_cover_scale(cells) == "percent"
    nums, scale, _ = parse_covers(cells)
    assert scale == "percent"
    np.testing.assert_allclose(nums, [float(c) for c in cells])


@FAST
@given(st.lists(st.integers(0, 10_000), min_size=1, max_size=30), st.integers(101, 10**6))
def test_whole_numbers_above_100_are_counts(values, big):
    nums, scale, kind = parse_covers(values + [big])
    assert (scale, kind) == ("count", "count")
    np.testing.assert_array_equal(nums, values + [big])


unknown_words = st.text(alphabet="abcdefghijkmnopqstuvwz?!#", min_size=1, max_size=6).filter(
    lambda w: w.lower() not in KNOWN_WORDS)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 100).map(str), min_size=0, max_size=40),
       st.lists(unknown_words, min_size=1, max_size=8), st.randoms(use_true_random=False),
       st.sampled_from(["auto", "percent", "braun-blanquet"]))
def test_unknown_codes_are_reported_with_their_rows(good, bad, rnd, scale):
    cells = list(good)
    for w in bad:
        cells.insert(rnd.randint(0, len(cells)), w)
    if scale == "braun-blanquet":
        cells = [c if c in bad else rnd.choice(BB_CODES) for c in cells]
    with pytest.raises(BotaclipError) as err:
        parse_covers(cells, scale, where="field 'cover' of plots.csv")
    msg = str(err.value)
    assert "field 'cover' of plots.csv" in msg
    assert "--cover-scale" in msg and "--cover-mapping" in msg
    for w in set(bad):
        rows = [i + 2 for i, c in enumerate(cells) if c == w]   # header is row 1
        line = next(ln for ln in msg.splitlines() if ln.strip().startswith(repr(w) + " in row"))
        listed = [int(n) for n in re.findall(r"\d+", line.split(" in row", 1)[1].split("(")[0])]
        assert listed == rows[:5]
        if len(rows) > 5:
            assert f"and {len(rows) - 5} more" in line


def test_error_lists_each_bad_value_once_with_up_to_five_rows():
    cells = ["5", "abc", "10", "abc", "abc", "abc", "abc", "abc", "abc", "200.5", ""]
    with pytest.raises(BotaclipError) as err:
        parse_covers(cells, where="field 'Cover' of long.csv")
    msg = str(err.value)
    assert "'abc' in rows 3, 5, 6, 7, 8 (and 2 more)" in msg
    assert "'200.5' in row 11" in msg
    assert "as percent (auto-detected" in msg
    assert "cannot exceed 100" in msg


def test_given_rows_are_used_in_messages():
    with pytest.raises(BotaclipError, match=r"'q' in rows 40, 42"):
        parse_covers(["q", "1", "q"], "percent", rows=[40, 41, 42])


def test_presence_words_and_numbers():
    cells = ["x", "", "yes", "no", "Present", "absent", "1", "0", "TRUE", None, "y", "n"]
    nums, scale, kind = parse_covers(cells)
    assert (scale, kind) == ("presence", "presence")
    np.testing.assert_array_equal(nums, [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0])
    assert parse_covers([0, 1, 1, 0])[1] == "presence"
    # auto presence does not swallow a percentage; explicit presence reads any number > 0
    with pytest.raises(BotaclipError, match="'25'"):
        parse_covers(["x", "25"])
    np.testing.assert_array_equal(parse_covers(["x", "25", "0"], "presence")[0], [1, 1, 0])


def test_empty_cells_mean_absent_in_every_scale():
    empties = ["", "  ", None, "NA", "nan", "NULL", float("nan")]
    for scale in ("auto", "presence", "percent", "fraction", "braun-blanquet", "count"):
        nums, _, _ = parse_covers(empties + ["1"], scale)
        assert nums[:-1].tolist() == [0.0] * len(empties)


def test_fraction_detection_and_percent_signs():
    nums, scale, _ = parse_covers(["0.5", "0.25", "", "1"])
    assert scale == "fraction"
    np.testing.assert_allclose(nums, [50, 25, 0, 100])
    nums, scale, _ = parse_covers(["5%", "20 %", "0.5"])
    assert scale == "percent"
    np.testing.assert_allclose(nums, [5, 20, 0.5])


def test_decimal_comma():
    nums, scale, _ = parse_covers(["2,5", "12,75", "0"], decimal_comma=True)
    assert scale == "percent"
    np.testing.assert_allclose(nums, [2.5, 12.75, 0])
    with pytest.raises(BotaclipError, match="'2,5'"):
        parse_covers(["2,5", "10"])


def test_numbers_alone_are_never_braun_blanquet_but_can_be_asked_for():
    assert detect_cover_scale(["1", "2", "3", "5"]) == "percent"
    nums, scale, _ = parse_covers([1, 2.0, "3", "5", "0"], "bb")
    assert scale == "braun-blanquet"
    np.testing.assert_array_equal(nums, [3, 15, 38, 88, 0])


def test_percent_with_r_and_plus_gets_a_hint():
    with pytest.raises(BotaclipError) as err:
        parse_covers(["r", "+", "20", "35"])
    msg = str(err.value)
    assert "'20' in row 4" in msg and "'35' in row 5" in msg
    assert "--cover-scale percent --cover-mapping" in msg


def test_mapping_extends_and_overrides_braun_blanquet():
    mapping = {"+": 0.5, "2M": 5, "Domin7": 40}
    nums, scale, kind = parse_covers(["+", "2m", "r", "domin7", "3"], mapping=mapping)
    assert (scale, kind) == ("braun-blanquet+mapping", "cover_percent")
    np.testing.assert_array_equal(nums, [0.5, 5, 1, 40, 38])
    nums, scale, _ = parse_covers(["a", "b", ""], mapping={"A": 10, "b": 20})
    assert scale == "mapping"
    np.testing.assert_array_equal(nums, [10, 20, 0])
    # percent covers with r/+ for small ones
    nums, scale, _ = parse_covers(["r", "+", "20", "35"], "percent", {"r": 1, "+": 2})
    assert scale == "percent+mapping"
    np.testing.assert_array_equal(nums, [1, 2, 20, 35])
    with pytest.raises(BotaclipError, match="'zz' in row 3"):
        parse_covers(["a", "zz"], mapping={"a": 3})
    with pytest.raises(BotaclipError, match="cannot be used with the count scale"):
        parse_covers(["a"], "count", {"a": 3})
    with pytest.raises(BotaclipError, match="percentage between 0 and 100"):
        parse_covers(["a"], mapping={"a": 300})


def test_counts_must_be_whole_and_percent_at_most_100():
    with pytest.raises(BotaclipError, match=r"'2.5' in row 3"):
        parse_covers(["3", "2.5"], "count")
    with pytest.raises(BotaclipError, match=r"'150' in row 2"):
        parse_covers(["150", "20"], "percent")
    with pytest.raises(BotaclipError, match=r"'-3' in row 2"):
        parse_covers(["-3", "20"])
    with pytest.raises(BotaclipError, match=r"'1.5' in row 2"):
        parse_covers(["1.5"], "fraction")


def test_scale_names():
    assert normalise_scale("Braun-Blanquet") == "braun-blanquet"
    assert normalise_scale("BB") == "braun-blanquet"
    assert normalise_scale(None) == "auto"
    with pytest.raises(BotaclipError, match="Unknown cover scale 'domin'"):
        normalise_scale("domin")


@FAST
@given(st.lists(st.one_of(percent_values, st.sampled_from(["", None, "NA"])), max_size=30),
       st.randoms(use_true_random=False))
def test_detection_ignores_order(values, rnd):
    shuffled = list(values)
    rnd.shuffle(shuffled)
    assert detect_cover_scale(values) == detect_cover_scale(shuffled)
