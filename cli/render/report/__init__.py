"""The publishable HTML report: `page.py` fills `report.html.j2`."""
