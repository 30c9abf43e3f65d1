"""The shared vocabulary every layer uses: errors, status enums, labels, working days, the missing-document rules.

Imports nothing of the project.
"""
