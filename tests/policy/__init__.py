"""Tests of mutrec.policy; scenarios.py holds the builders they share."""
