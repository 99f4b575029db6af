"""Tests of the sandbox emulator, judged by the real kubectl where it prints."""
