"""An enterprise's profile (企业画像): a read model over the enterprise, the other domains' records about it,
its assessment score and its applications."""
