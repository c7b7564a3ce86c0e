package version

// Version is DiscDesk's release version (FyneApp.toml [Details] Version).
const Version = "0.1.0"

// Software is the name of the burning application written on discs.
const Software = "DiscDesk"
