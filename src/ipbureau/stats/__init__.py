"""Statistics: the indicator catalogue, its computation, and the dashboard."""
