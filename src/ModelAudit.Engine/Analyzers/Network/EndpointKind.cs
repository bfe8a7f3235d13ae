namespace ModelAudit.Engine.Analyzers.Network;

/// <summary>Why a URL is worth a look.</summary>
internal enum EndpointKind
{
    /// <summary>An ordinary host: reported only inside pickles.</summary>
    Ordinary,

    /// <summary>A documentation, model hub or licence host: never reported.</summary>
    Documentation,

    /// <summary>A link shortener hides where the link goes.</summary>
    Shortener,

    /// <summary>A tunnel exposes a private machine under a throw-away name (ngrok, localtunnel, cloudflared).</summary>
    Tunnel,

    /// <summary>A paste, webhook, file-drop or out-of-band interaction host: where stolen data or payloads go.</summary>
    DropOrWebhook,

    /// <summary>A public IP address instead of a host name.</summary>
    RawIp,

    /// <summary>A port that reverse shells and C2 kits use by default.</summary>
    UnusualPort,

    /// <summary>A direct link to an executable or script.</summary>
    Executable,
}
