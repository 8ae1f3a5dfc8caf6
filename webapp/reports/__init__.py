"""Reports: the weekly cut-off page (CCIMA-7, CCIMA-8) and the words reports are written in."""
