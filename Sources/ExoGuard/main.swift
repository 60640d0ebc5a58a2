ExoGuardCommand.entry()
