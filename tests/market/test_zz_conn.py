from sqlalchemy import event
from ipbureau.database.core import get_engine
from tests.conftest import login
from tests.market.test_matching import _post, DEMAND_TEXT  # noqa
from tests.market.test_matching import buyer, buyer_user, offer  # noqa

def test_no_second_connection(client, db, users, buyer, buyer_user, offer):
    patents, listings = offer
    demand = _post(db, buyer_user)
    db.commit()
    checkouts = []
    event.listen(get_engine(), "checkout", lambda *a: checkouts.append(1))
    login(client, "bureau_staff_user")
    checkouts.clear()
    for url in ["/market", f"/market/listings/{listings[0].id}", "/market/demands", f"/market/demands/{demand.id}",
                f"/market/patents/{patents[0].id}/matches", "/market/stats", "/notices", f"/api/market/demands/{demand.id}/matches"]:
        r = client.get(url)
        assert r.status_code == 200, url
        print(url, len(checkouts))
    assert checkouts == []
