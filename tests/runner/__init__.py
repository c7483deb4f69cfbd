"""Tests of the embedded local runner."""
