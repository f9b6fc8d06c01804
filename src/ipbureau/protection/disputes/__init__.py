"""纠纷调解与行政裁决 (dispute mediation and administrative adjudication) with technical investigators."""
