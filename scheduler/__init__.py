"""Scheduling: agents needed per interval (staffing), the monthly roster, and headcount for HR."""
