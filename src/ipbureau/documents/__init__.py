"""Documents every area produces the same way (spreadsheets)."""
