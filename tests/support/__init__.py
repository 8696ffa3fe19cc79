"""Reusable test support: the whole road on the simulated venue (see ``road``)."""
