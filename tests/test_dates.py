import pandas as pd

from analysis.dates import parse_dates


def test_real_formats_parse_and_raw_is_never_invented():
    raw = ["2019-06-28", "1/21/18", "9/6/17", "", None, "January 11, 2010 Monday 8:27 PM EST"]
    dates, problem = parse_dates(raw)
    assert dates[0] == pd.Timestamp("2019-06-28")
    assert dates[1] == pd.Timestamp("2018-01-21")  # US month-first, as AllSides writes it
    assert dates[2] == pd.Timestamp("2017-09-06")
    assert pd.isna(dates[3]) and pd.isna(dates[4])
    assert problem[3] == "" and problem[4] == ""  # missing is not a problem, just unknown
    assert dates[5] == pd.Timestamp("2010-01-11")


def test_impossible_and_unparseable_dates_become_nat_with_a_reason():
    dates, problem = parse_dates(["0001-11-30", "2050-01-01", "2013-02-30", "next Tuesday"])
    assert dates.isna().all()
    assert list(problem) == ["impossible", "impossible", "unparseable", "unparseable"]


def test_manifest_hints_come_first():
    # day-first hint for a European source
    dates, _ = parse_dates(["05/06/2019"], formats=["%d/%m/%Y"])
    assert dates[0] == pd.Timestamp("2019-06-05")


def test_time_zones_become_naive_utc():
    dates, _ = parse_dates(["2020-10-15T01:45:02+02:00", "20240615T170000Z"])
    assert dates[0] == pd.Timestamp("2020-10-14 23:45:02")
    assert dates[1] == pd.Timestamp("2024-06-15 17:00:00")


def test_shipped_corpus_dates(shipped_corpus):
    arts, report = shipped_corpus
    bad = arts[arts["date_raw"] == "0001-11-30"]
    assert len(bad) == 1 and bad["date"].isna().all()
    assert any("0001-11-30" in w.message for w in report.warnings)
    # NaT exactly where the source has no date or an impossible one; nothing was guessed
    assert arts["date"].isna().sum() == (arts["date_raw"] == "").sum() + 1
    assert arts["date"].dropna().dt.year.between(2012, 2020).all()
