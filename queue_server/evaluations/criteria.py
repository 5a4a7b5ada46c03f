"""The criteria a dossier is evaluated on, as data: versioned sets, each naming its legal source
and the day from which it applies, chosen by the day the dossier was received (like the form sets
of :mod:`queue_server.dossiers.formsets`).

**Thông tư 01/2018/TT-VPCP Điều 13** [text, docs/evaluation.md] sets nine indices per dossier:
(1) the total handling time against the legal limit; (2) each body's handling time; (3) how many
times the citizen had to contact the body to complete the dossier; (4) how many bodies the citizen
had to contact; (5) whether intake, handling and return went through the one-stop unit; (6) the
publicity of the procedure; (7) the officers' attitude; (8) how feedback and complaints were taken
up; (9) online public service. The titles follow the wording a provincial public service portal
shows for these indices (Thừa Thiên Huế's satisfaction page [summary]), not the circular's text.

What was *not* verified, hence settings or data marked [assumed] here and in docs/evaluation.md:

- the points of each answer: 0, 1 or 2 per index, 18 at most [assumed: remembered, not seen];
- the verdict's thresholds: *Tốt* from 16 points, *Đạt* from 10, else *Không đạt* [assumed];
  ``EVALUATION_GOOD_FROM`` and ``EVALUATION_PASS_FROM`` change them;
- which index a system computes and how (the mapping of a dossier's history to points below)
  [assumed: the texts describe the indices, not how software measures them];
- whether Thông tư 03/2025/TT-VPCP (which replaced Thông tư 01/2018 for the forms) keeps these
  nine indices is open (docs/domain.md): until its text is found the 2018 set applies to every
  dossier; a newer set is added to :data:`SETS` with its own ``applies_from``, and dossiers keep
  the set of the day they were received.

Provinces now also measure with Quyết định 766/QĐ-TTg (2022)'s index set on the national portal;
that set is computed there, from the portal's data, and is not this per-dossier evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, has_app_context

from ..web import N_


class Source:
    COMPUTED = "computed"  # filled in from the dossier's history ("Hệ thống tự tính")
    ASKED = "asked"  # the citizen answers


class Verdict:
    GOOD = "good"  # Tốt
    PASS = "pass"  # Đạt
    FAIL = "fail"  # Không đạt
    ALL = (GOOD, PASS, FAIL)


VERDICT_LABELS = {
    Verdict.GOOD: N_("Tốt"),
    Verdict.PASS: N_("Đạt"),
    Verdict.FAIL: N_("Không đạt"),
}


@dataclass(frozen=True)
class Choice:
    """An answer to an asked criterion, with its points."""

    code: str
    label: str
    points: int


@dataclass(frozen=True)
class Criterion:
    number: int
    code: str
    title: str
    source: str
    # Asked criteria: the answers offered, best first. Computed ones: empty.
    choices: tuple[Choice, ...] = ()

    def points_of(self, answer: str) -> int | None:
        return next((choice.points for choice in self.choices if choice.code == answer), None)


@dataclass(frozen=True)
class CriteriaSet:
    code: str  # stored on each evaluation
    name: str
    source: str  # the legal text it implements
    applies_from: date  # dossiers received from this day
    criteria: tuple[Criterion, ...]
    max_points: int = 2  # per criterion

    @property
    def max_score(self) -> int:
        return self.max_points * len(self.criteria)

    @property
    def asked(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.source == Source.ASKED)

    def get(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)


TT01_2018 = CriteriaSet(
    code="tt01-2018",
    name=N_("Bộ chỉ số đánh giá việc giải quyết thủ tục hành chính"),
    source="Thông tư 01/2018/TT-VPCP, Điều 13",
    # The circular's effective date was not checked [assumed]: it covers every dossier this
    # product holds, none of which predates it.
    applies_from=date(2018, 1, 1),
    criteria=(
        Criterion(
            1,
            "total_time",
            N_("Tổng thời gian giải quyết so với thời gian cho phép theo quy định"),
            Source.COMPUTED,
        ),
        Criterion(
            2, "body_time", N_("Thời gian thực hiện của từng cơ quan tham gia giải quyết"), Source.COMPUTED
        ),
        Criterion(
            3,
            "contacts",
            N_("Số lần phải liên hệ với nơi tiếp nhận hồ sơ để hoàn thiện hồ sơ"),
            Source.COMPUTED,
        ),
        Criterion(
            4, "bodies", N_("Số cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ"), Source.COMPUTED
        ),
        Criterion(
            5, "one_stop", N_("Tiếp nhận hồ sơ, giải quyết, trả kết quả tại Bộ phận Một cửa"), Source.COMPUTED
        ),
        Criterion(
            6,
            "publicity",
            N_("Mức độ công khai thủ tục hành chính"),
            Source.ASKED,
            (
                Choice("full", N_("Đầy đủ, dễ tìm"), 2),
                Choice("partial", N_("Có công khai nhưng chưa đầy đủ"), 1),
                Choice("none", N_("Không được công khai"), 0),
            ),
        ),
        Criterion(
            7,
            "attitude",
            N_("Thái độ của cán bộ, công chức, viên chức khi hướng dẫn, tiếp nhận, giải quyết hồ sơ"),
            Source.ASKED,
            (
                Choice("courteous", N_("Lịch sự, tận tình"), 2),
                Choice("neutral", N_("Bình thường"), 1),
                Choice("poor", N_("Gây phiền hà, chưa đúng mực"), 0),
            ),
        ),
        Criterion(
            8,
            "feedback",
            N_("Tiếp thu, giải trình đối với ý kiến phản ánh, kiến nghị"),
            Source.ASKED,
            (
                # No feedback given: nothing went wrong to take up [assumed: full points].
                Choice("none_given", N_("Không có phản ánh, kiến nghị"), 2),
                Choice("answered", N_("Được tiếp thu, giải trình thỏa đáng"), 2),
                Choice("partly", N_("Có giải trình nhưng chưa thỏa đáng"), 1),
                Choice("ignored", N_("Không được tiếp thu, giải trình"), 0),
            ),
        ),
        Criterion(9, "online", N_("Tiến độ và chất lượng cung cấp dịch vụ công trực tuyến"), Source.COMPUTED),
    ),
)

SETS: tuple[CriteriaSet, ...] = (TT01_2018,)
BY_CODE = {criteria_set.code: criteria_set for criteria_set in SETS}
# Every criterion code of every set, once (reports name the indices by these).
CRITERIA = tuple(dict.fromkeys(c.code for criteria_set in SETS for c in criteria_set.criteria))


def title_of(code: str) -> str:
    """A criterion's title (a message id) by its code, in the newest set that has it."""
    found = (c for criteria_set in reversed(SETS) for c in criteria_set.criteria if c.code == code)
    return next((criterion.title for criterion in found), code)


def set_for(received_on: date) -> CriteriaSet:
    """The set in force the day the dossier was received: the latest that applies by then."""
    applying = [s for s in SETS if s.applies_from <= received_on] or [SETS[0]]
    return max(applying, key=lambda s: s.applies_from)


@dataclass(frozen=True)
class Scoring:
    """The verdict's thresholds over the total score [assumed defaults, docs/evaluation.md]."""

    good_from: int = 16  # EVALUATION_GOOD_FROM
    pass_from: int = 10  # EVALUATION_PASS_FROM

    @classmethod
    def current(cls) -> Scoring:
        if not has_app_context():
            return cls()
        config, defaults = current_app.config, cls()
        return cls(
            good_from=int(config.get("EVALUATION_GOOD_FROM", defaults.good_from)),
            pass_from=int(config.get("EVALUATION_PASS_FROM", defaults.pass_from)),
        )

    def verdict(self, score: int) -> str:
        if score >= self.good_from:
            return Verdict.GOOD
        if score >= self.pass_from:
            return Verdict.PASS
        return Verdict.FAIL
