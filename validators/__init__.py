"""The schemas of the master workbook and the rules `pmo-xl check` runs over it."""
