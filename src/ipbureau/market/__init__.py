"""Patent marketplace (交易运营): listings (挂牌), open licences (开放许可), deals, licences and pledges."""
