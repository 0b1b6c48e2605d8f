"""Charts from data (#27): Vega-Lite specs drawn as themed, accessible, cached figures."""
