"""Commerce: Oscar's forked apps, market pages and SumUp checkout."""
