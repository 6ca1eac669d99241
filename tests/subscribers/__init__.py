"""A subscriber simulation: fake calendar clients, one per caching style, poll the live
app and the static export behind nginx through scripted and random sequences of edits,
and after every step each client's copy must say what the definitions say."""
