ExoGuardCommand.runOnDeepStack()
