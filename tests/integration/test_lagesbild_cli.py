"""``estapp lagesbild compile``: summaries, no new version when unchanged, clear errors."""

from __future__ import annotations

from sqlalchemy import func, select

from estapp.cli import cli
from estapp.db import utcnow
from estapp.models import SituationPicture
from estapp.weeks import IsoWeek
from tests.integration.lagesbild_support import committed, kommun, organisation, report


def last_week() -> IsoWeek:
    from zoneinfo import ZoneInfo

    return IsoWeek.containing(utcnow(), ZoneInfo("Europe/Stockholm")).shift(-1)


def run(app, *args):
    return app.test_cli_runner().invoke(cli, ["lagesbild", "compile", *args])


def test_compile_prints_a_summary_and_twice_makes_one_version(app, demo):
    week = last_week()
    with committed(demo):
        report(demo, kommun(demo), organisation(demo, "Polisen"), week, [("Klotter", "Garagen", 4)])
    first = run(app, "--kommun", "ekbacka", "--week", str(week))
    assert first.exit_code == 0, first.output
    assert f"Ekbacka, {week.label()}: version 1 skapad, 4 händelser" in first.output
    second = run(app, "--kommun", "ekbacka", "--week", str(week))
    assert second.exit_code == 0
    assert "oförändrad – ingen ny version (version 1 gäller)" in second.output
    assert demo.scalar(select(func.count()).select_from(SituationPicture)) == 1


def test_compile_all_covers_every_kommun(app, demo):
    result = run(app, "--all", "--week", str(last_week()))
    assert result.exit_code == 0, result.output
    assert "Ekbacka," in result.output and "Sjövik," in result.output
    assert "0 händelser" in result.output


def test_bad_input_gives_one_swedish_line(app, demo):
    unknown = run(app, "--kommun", "nowhere", "--week", "2026-W47")
    assert unknown.exit_code != 0
    assert unknown.output.strip() == "Fel: det finns ingen kommun med kortnamnet 'nowhere'"
    malformed = run(app, "--kommun", "ekbacka", "--week", "2026-47")
    assert malformed.exit_code != 0 and "är ingen vecka" in malformed.output
    assert "Traceback" not in malformed.output
    future = run(app, "--kommun", "ekbacka", "--week", str(last_week().shift(3)))
    assert future.exit_code != 0 and "har inte börjat än" in future.output
    neither = run(app, "--week", "2026-W47")
    assert neither.exit_code != 0 and "--kommun SLUG eller --all" in neither.output
