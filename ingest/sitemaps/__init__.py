"""Sitemaps, news sitemaps, sitemap indexes (depth/size capped) and feed discovery."""
