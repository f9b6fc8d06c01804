"""Patent marketplace (交易运营): listings (挂牌), open licences (开放许可), deals, licences and pledges, technology
demands with matching and pushes, and the figures.

One module per resource: listings, open_licences, deals, licences (filings), pledges, demands, pushes (matches and
pushes), stats and exports (the figures); their state machines in workflows, their shapes in schemas, who may do
what in ipbureau.policy.market; pages composes what each page shows; views and matching_views are the routes.
"""
