"""What each marketplace page shows: the records, and the forms and buttons the user gets on them.

The front page (/market) is the public board (published listings, open-licence declarations) and, beside it, what
the user has to do with: the own or awaiting listings, deals, licences, pledges, and the forms the user may fill
in. Every list and every button is the policy's (each service module scopes its own records).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ipbureau.core.workflow import Transition
from ipbureau.market import matching
from ipbureau.market.deals import deal_patents, deals_of, get_deal, read_deal
from ipbureau.market.demands import get_demand
from ipbureau.market.enums import DemandStatus, ListingStatus, OpenLicenceStatus
from ipbureau.market.licences import licences_of
from ipbureau.market.listings import RESOURCE as LISTING_RESOURCE
from ipbureau.market.listings import get_listing, published_listings, worklist
from ipbureau.market.models import (
    Deal,
    Demand,
    Licence,
    Listing,
    OpenLicence,
    Pledge,
    Push,
)
from ipbureau.market.open_licences import (
    get_open_licence,
    published_open_licences,
    row_buttons,
    shown_buttons,
)
from ipbureau.market.parties import (
    acts_on_behalf,
    district_choices,
    enterprise_choices,
    trades,
)
from ipbureau.market.pledges import pledges_of
from ipbureau.market.schemas import DealRead, ListingFilters
from ipbureau.market.workflows import DEAL, DEMAND, LISTING, OPEN_LICENCE
from ipbureau.patents.models import Patent
from ipbureau.policy import policy

PAGE_SIZE = 50
RECOMMENDATION = "market.recommendation"


@dataclass
class Board:
    filters: ListingFilters
    offset: int
    listings: list[Listing]
    total: int
    open_licences: list[OpenLicence]
    open_licence_buttons: dict[int, list[Transition]]
    worklist_heading: str
    worklist: list[Listing]
    deals: list[Deal]
    licences: list[Licence]
    pledges: list[Pledge]
    trades: bool  # the forms: a new listing, an open-licence declaration, a pledge registration
    on_behalf: bool  # the forms name the enterprise
    shows_stats: bool
    districts: list[tuple[str, str]]
    enterprises: list[tuple[int, str]]


def board(session: Session, user: Any, filters: ListingFilters | None = None, *, offset: int = 0) -> Board:
    filters = filters or ListingFilters()
    listings, total = published_listings(session, user, filters, offset=offset, limit=PAGE_SIZE)
    declarations = published_open_licences(session, user)
    heading, mine = worklist(session, user)
    return Board(filters=filters, offset=offset, listings=listings, total=total, open_licences=declarations,
                 open_licence_buttons=row_buttons(session, user, declarations), worklist_heading=heading,
                 worklist=mine, deals=deals_of(session, user), licences=licences_of(session, user),
                 pledges=pledges_of(session, user), trades=trades(session, user), on_behalf=acts_on_behalf(user),
                 shows_stats=policy.allows(user, "market.stats", "view"), districts=district_choices(session),
                 enterprises=enterprise_choices(session, user))


@dataclass
class ListingPage:
    """What the listing page shows the user, and which of its forms and buttons."""

    listing: Listing
    buttons: list[Transition]
    editable: bool  # the edit form
    offers_deal: bool  # the form of an intention
    holder_side: bool  # the holder's users and staff also read the reason of a rejection
    shows_matches: bool  # links to the enterprises that may need the listed patents
    deals: list[Deal]  # on this listing, as far as the user may see them


def listing_page(session: Session, user: Any, listing_id: int) -> ListingPage:
    listing = get_listing(session, user, listing_id)
    holder_side = policy.can(session, user, LISTING_RESOURCE, "edit", listing)
    # The holder's own users do not propose deals to themselves; staff (naming the counterparty) and others do.
    offers_deal = LISTING.may(session, user, listing, "trade") and not (holder_side and not acts_on_behalf(user))
    return ListingPage(listing=listing, buttons=LISTING.buttons(session, user, listing),
                       editable=LISTING.may(session, user, listing, "update"), offers_deal=offers_deal,
                       holder_side=holder_side,
                       shows_matches=listing.status == ListingStatus.PUBLISHED
                       and policy.allows(user, RECOMMENDATION, "view"),
                       deals=deals_of(session, user, listing_id=listing.id))


@dataclass
class OpenLicencePage:
    declaration: OpenLicence
    buttons: list[Transition]
    licences: list[Licence]  # obtained under it, as far as the user may read them
    shows_matches: bool  # a link to the enterprises that may need the patent


def open_licence_page(session: Session, user: Any, declaration_id: int) -> OpenLicencePage:
    declaration = get_open_licence(session, user, declaration_id)
    return OpenLicencePage(
        declaration=declaration,
        buttons=shown_buttons(OPEN_LICENCE.buttons(session, user, declaration), declaration, date.today()),
        licences=licences_of(session, user, open_licence_id=declaration.id),
        shows_matches=declaration.status == OpenLicenceStatus.PUBLISHED
        and policy.allows(user, RECOMMENDATION, "view"))


@dataclass
class DealPage:
    deal: Deal
    read: DealRead
    patents: list[Patent]
    buttons: list[Transition]


def deal_page(session: Session, user: Any, deal_id: int) -> DealPage:
    deal = get_deal(session, user, deal_id)
    return DealPage(deal=deal, read=read_deal(session, user, deal), patents=deal_patents(deal),
                    buttons=DEAL.buttons(session, user, deal))


@dataclass
class DemandPage:
    demand: Demand
    matches: list[matching.Match]  # while the demand is open
    pushes: list[Push]
    buttons: list[Transition]
    editable: bool
    pushable: bool


def demand_page(session: Session, user: Any, demand_id: int) -> DemandPage:
    demand = get_demand(session, user, demand_id)
    is_open = demand.status == DemandStatus.OPEN
    return DemandPage(
        demand=demand, matches=matching.match_demand(session, demand) if is_open else [],
        pushes=list(session.scalars(select(Push).where(Push.demand_id == demand.id).order_by(Push.pushed_at.desc()))),
        buttons=DEMAND.buttons(session, user, demand), editable=DEMAND.may(session, user, demand, "update"),
        pushable=DEMAND.may(session, user, demand, "push"))
