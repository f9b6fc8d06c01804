"""Work plan (工作要点): the bureau's yearly work points, their quantitative targets and progress."""
