"""Engagement events: meetings for wards, registration with a waitlist, reminders,
iCalendar, attendance, and feedback on the Public Attitude Survey's own questions."""
