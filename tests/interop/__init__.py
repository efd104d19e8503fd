"""Tests of the readers and writers of mutrec.interop."""
