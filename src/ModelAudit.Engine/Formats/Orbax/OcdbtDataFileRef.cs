namespace ModelAudit.Engine.Formats.Orbax;

/// <summary>One row of an OCDBT data file table: a data file's path is the transitive path of the node that holds the
/// table + <see cref="BasePath"/> + <see cref="RelativePath"/>, and the children read through it inherit the transitive
/// path + <see cref="BasePath"/>.</summary>
internal readonly record struct OcdbtDataFileRef(string BasePath, string RelativePath);
