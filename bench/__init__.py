"""Benchmarks of zhuqi at county, city, province and stress scale (`make bench`)."""
