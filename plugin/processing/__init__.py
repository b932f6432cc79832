"""BotaCLIP's Processing provider (id ``botaclip``) and its algorithms."""
