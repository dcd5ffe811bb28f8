"""The report workbooks, their shared styles, the findings workbook and the email draft."""
