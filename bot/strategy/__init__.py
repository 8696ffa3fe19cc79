"""Strategies: the Strategy protocol, declarative rule strategies and their indicators."""
