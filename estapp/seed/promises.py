"""Demo medborgarlöften: one promise for each demo kommun, invented for the demo.

Ekbacka's two-year promise answers its lägesbild (klotter around Stora torget, young people at
Resecentrum); Sjövik's one-year promise is about the harbour, the square and Badplatsen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from estapp.models import IndicatorDirection, Municipality, PromiseStatus, ResponsibleParty
from estapp.promises import services
from estapp.promises.services import CommitmentInput, ProblemAreaInput, PromiseInput

KOMMUN = ResponsibleParty.KOMMUN
POLIS = ResponsibleParty.POLIS
OTHERS = ResponsibleParty.OTHERS


@dataclass(frozen=True)
class DemoCommitment:
    text: str
    responsible: frozenset[ResponsibleParty]
    detail: str = ""
    scope: str = ""
    follow_up: str = ""
    evaluation: str = ""
    problem_areas: tuple[int, ...] = ()  # positions in the promise's list of problem areas
    indicator: tuple[str, str, IndicatorDirection, float, str] | None = None


@dataclass(frozen=True)
class DemoPromise:
    title: str
    years: int
    summary: str
    background: str
    problem_areas: tuple[tuple[str, str], ...]
    goal: str
    follow_up: str
    signatories: str
    commitments: tuple[DemoCommitment, ...] = field(default=())


def _ekbacka(year: int) -> DemoPromise:
    return DemoPromise(
        title=f"Medborgarlöfte för Ekbacka {year}–{year + 1}",
        years=2,
        summary=(
            f"Under {year} och {year + 1} lovar Ekbacka kommun och polisen att arbeta tillsammans "
            "för att centrum ska kännas tryggare på kvällar och helger, och för att färre unga "
            "ska dras in i droger och kriminalitet."
        ),
        background=(
            "Löftet bygger på EST-gruppens gemensamma lägesbild, på kommunens senaste "
            "trygghetsmätning och på samtal med invånare vid biblioteket och i Norrmalm. De "
            "flesta säger att de känner sig trygga i Ekbacka, men att vissa platser undviks när "
            "det är mörkt."
        ),
        problem_areas=(
            (
                "Klotter och skadegörelse i centrum",
                "Klottret kring Stora torget och Resecentrum har ökat under året. Nedklottrade "
                "och trasiga miljöer gör att platserna känns övergivna.",
            ),
            (
                "Unga som samlas vid Resecentrum",
                "Grupper av unga samlas kvällstid vid Resecentrum. Resenärer och personal "
                "berättar om stök och att de väljer andra vägar.",
            ),
            (
                "Mörka passager",
                "Gångtunneln vid Norrvägen och garagen i Sjöängen nämns ofta som platser man "
                "undviker, oftare av kvinnor än av män.",
            ),
        ),
        goal=(
            "Fler ska känna sig trygga i centrum på kvällen. Vi mäter det i kommunens "
            "trygghetsmätning och följer klotter och stök vecka för vecka i lägesbilden."
        ),
        follow_up=(
            "EST-gruppen går igenom åtagandena varje tertial. Vid varje års slut redovisar "
            "kommunen och polisen på sina webbplatser vad som har gjorts och vad det gav."
        ),
        signatories="Kommunstyrelsens ordförande i Ekbacka och lokalpolisområdeschefen",
        commitments=(
            DemoCommitment(
                "Kommunen och polisen ska hålla EST-mötet varje vecka, så att alla "
                "samverkansparter delar samma lägesbild och sätter in åtgärder där de gör mest "
                "nytta.",
                frozenset({KOMMUN, POLIS}),
                detail="Säkerhetssamordnaren och kommunpolisen",
                scope="Varje vecka",
                follow_up="Samordnaren redovisar varje tertial hur många åtgärder som är klara.",
                evaluation="EST-gruppen, vid årets slut",
                problem_areas=(0, 1, 2),
            ),
            DemoCommitment(
                "Polisen ska synas vid Stora torget och Resecentrum på fredags- och "
                "lördagskvällar.",
                frozenset({POLIS}),
                detail="Ingripandeverksamheten",
                scope="Minst två kvällar i veckan",
                follow_up="Kommunpolisen, varje månad",
                evaluation="Lokalpolisområdet",
                problem_areas=(1,),
                indicator=(
                    "Andel som känner sig trygga vid Resecentrum på kvällen",
                    "procent",
                    IndicatorDirection.INCREASE,
                    60,
                    "Kommunens trygghetsmätning; vid förra mätningen 48 procent.",
                ),
            ),
            DemoCommitment(
                "Klotter på allmän plats ska tas bort inom två dygn efter att det har anmälts, "
                "och bostadsbolaget gör detsamma på sina hus.",
                frozenset({KOMMUN, OTHERS}),
                detail="Gatuenheten, Ekbackahem AB",
                scope="Löpande",
                follow_up="Antal saneringar och hur snabbt de görs tas upp på EST-mötet.",
                evaluation="Samhällsbyggnadsnämnden, vid årets slut",
                problem_areas=(0,),
                indicator=(
                    "Rapporterat klotter i centrum",
                    "händelser per månad",
                    IndicatorDirection.DECREASE,
                    10,
                    "Ur lägesbilden.",
                ),
            ),
            DemoCommitment(
                "Tillsammans med invånarna ska vi gå trygghetsvandringar i Norrmalm och "
                "Sjöängen och åtgärda det som kommer fram, till exempel trasig belysning.",
                frozenset({KOMMUN, POLIS, OTHERS}),
                detail="Ekbackahem AB och föreningarna i områdena",
                scope="Två vandringar per år",
                follow_up="Säkerhetssamordnaren",
                evaluation="EST-gruppen",
                problem_areas=(2,),
            ),
        ),
    )


def _sjovik(year: int) -> DemoPromise:
    return DemoPromise(
        title=f"Medborgarlöfte för Sjövik {year}",
        years=1,
        summary=(
            f"Under {year} lovar Sjövik kommun och polisen att göra busstationen, torget och "
            "badplatsen tryggare och att nå unga tidigare."
        ),
        background=(
            "I EST-gruppens lägesbild och i dialogen med invånarna i våras kom samma platser "
            "tillbaka: stök vid busstationen och torget på kvällarna och skräp och bränder vid "
            "badplatsen under sommaren."
        ),
        problem_areas=(
            (
                "Kvällar i centrum",
                "Unga samlas vid busstationen och torget, och en del vuxna går omvägar.",
            ),
            (
                "Badplatsen under sommaren",
                "Nedskräpning och små bränder vid badplatsen, mest på helgerna.",
            ),
        ),
        goal="Invånarna ska uppleva centrum och badplatsen som trygga och rena platser.",
        follow_up=(
            "Kommunen berättar på sin webbplats hur arbetet går. Efter årets slut redovisas "
            "vad som har gjorts, och resultatet blir underlag för nästa löfte."
        ),
        signatories="Kommunstyrelsens ordförande i Sjövik och lokalpolisområdeschefen",
        commitments=(
            DemoCommitment(
                "Polisen ska arbeta enligt hot spots-metoden vid busstationen och torget på "
                "kvällarna.",
                frozenset({POLIS}),
                detail="Kommunpolisen",
                scope="Löpande, främst fredag och lördag",
                follow_up="Kommunpolisen redovisar insatserna på EST-mötet.",
                evaluation="Lokalpolisområdet",
                problem_areas=(0,),
            ),
            DemoCommitment(
                "Fritidsgården Kupan ska ha öppet till kl. 23 på fredagar, och polisen besöker "
                "gården regelbundet.",
                frozenset({KOMMUN, POLIS}),
                detail="Sjövik kommun, fritid och kultur",
                scope="Varje fredag under terminerna",
                follow_up="Fritidsledarna och kommunpolisen, varje månad",
                evaluation="EST-gruppen, vid årets slut",
                problem_areas=(0,),
            ),
            DemoCommitment(
                "Kommunen och bostadsbolaget ska hålla badplatsen ren under sommaren och sätta "
                "upp fler papperskorgar och grillplatser.",
                frozenset({KOMMUN, OTHERS}),
                detail="Sjövikshus AB",
                scope="Juni–augusti, tömning varje dag",
                follow_up="Nedskräpningen följs i lägesbilden vecka för vecka.",
                evaluation="Tekniska nämnden, i september",
                problem_areas=(1,),
                indicator=(
                    "Rapporterad nedskräpning vid Badplatsen",
                    "händelser per vecka",
                    IndicatorDirection.DECREASE,
                    1,
                    "Ur lägesbilden.",
                ),
            ),
            DemoCommitment(
                "Kommunen ska göra en trygghetsmätning bland invånarna i höst, som underlag "
                "för nästa års löfte.",
                frozenset({KOMMUN}),
                scope="En gång under året",
                follow_up="Resultatet redovisas för kommunstyrelsen och polisen.",
            ),
        ),
    )


def create_demo_promises(
    session: Session,
    kommuner: dict[str, Municipality],
    *,
    now: datetime,
    tz: ZoneInfo | None = None,
) -> None:
    """Create a promise in force, with its commitments, for each demo kommun."""
    year = now.astimezone(tz or ZoneInfo("Europe/Stockholm")).year
    # Ekbacka shows its follow-up to the public; Sjövik has not turned it on yet.
    kommuner["ekbacka"].public_follow_up = True
    for slug, demo in (("ekbacka", _ekbacka(year)), ("sjovik", _sjovik(year))):
        promise = services.create_promise(
            session,
            None,
            kommuner[slug],
            PromiseInput(
                title=demo.title,
                period_start=year,
                period_end=year + demo.years - 1,
                status=PromiseStatus.ACTIVE,
                summary=demo.summary,
                background=demo.background,
                problem_areas=[ProblemAreaInput(name, text) for name, text in demo.problem_areas],
                goal=demo.goal,
                follow_up=demo.follow_up,
                signed_on=date(year - 1, 12, 12),  # signed before the year begins
                signatories=demo.signatories,
            ),
            now=now,
        )
        areas = promise.problem_areas
        for item in demo.commitments:
            name, unit, direction, target, note = item.indicator or ("", "", None, None, "")
            services.create_commitment(
                session,
                None,
                promise,
                CommitmentInput(
                    text=item.text,
                    responsible=item.responsible,
                    responsible_detail=item.detail,
                    scope=item.scope,
                    follow_up=item.follow_up,
                    evaluation=item.evaluation,
                    problem_area_ids=[areas[i].id for i in item.problem_areas],
                    indicator_name=name,
                    indicator_unit=unit,
                    indicator_direction=direction,
                    indicator_target=target,
                    indicator_note=note,
                ),
                now=now,
            )
