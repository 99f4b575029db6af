"""Tests of kubesim's API vocabulary (cron schedules)."""
