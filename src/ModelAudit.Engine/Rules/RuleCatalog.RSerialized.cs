using static ModelAudit.Engine.Rules.RuleIds;

namespace ModelAudit.Engine.Rules;

public static partial class RuleCatalog
{
    private const string RemediationR = "Do not readRDS or load the file. Save the model's data again without functions, promises or environments (for example its coefficients as a plain list), or load it only in a disposable sandbox.";

    static partial void AddRSerializedRules(List<ModelRule> rules) => rules.AddRange(new[]
    {
        Rule(RUnevaluatedPromise, "Unevaluated R promise that runs code", Severity.Critical, FindingCategory.CodeExecution,
            "The R object holds a promise that was never forced, and its expression calls a function that runs commands, reaches the network, evaluates computed code or writes files (a .Rprofile planted in the home folder runs at the next R start) (or the promise is the file's object itself, as no R function saves one). readRDS and load before R 4.4.0 restore it as it is, and the first use of the object evaluates the expression (CVE-2024-27322).",
            "Upgrade R to 4.4.0 or later, which refuses to unserialize promises; " + RemediationR, "CVE-2024-27322"),
        Rule(RPromise, "Unevaluated R promise", Severity.Info, FindingCategory.CodeExecution,
            "The R object holds a promise that was never forced, inside an environment it keeps (typically an unforced default argument of a function whose environment a model captured, as glm's family does for 'link'). Its expression names nothing that runs commands, evaluates computed code or writes files; it is evaluated the first time that variable is used. The finding names what the expression refers to.",
            "Nothing to do if the names are the model's own; otherwise treat it as MA1190."),
        Rule(RActiveBinding, "R active binding", Severity.Critical, FindingCategory.CodeExecution,
            "An environment in the R object binds a variable actively (makeActiveBinding), and the function stored for it calls something that runs commands, reaches the network, evaluates computed code or writes files. Loading the object and touching that variable runs the function.",
            RemediationR),
        Rule(RPlainActiveBinding, "R active binding of ordinary code", Severity.Info, FindingCategory.CodeExecution,
            "An environment in the R object binds a variable actively (makeActiveBinding): reading the variable calls the function stored for it, which names nothing that runs commands, reaches the network, evaluates computed code or writes files. Reference-class objects (setRefClass) bind every typed field this way through methods' own checking function.",
            "Nothing to do if the object is a reference class or the function is the model's own; otherwise treat it as MA1191."),
        Rule(RCodeFromStrings, "R function that runs code built from strings", Severity.Warning, FindingCategory.CodeExecution,
            "A serialized R function (or a promise) calls parse, str2lang, str2expression or source: it turns text into code, so what it runs when a method calls it (predict, a family's link) is decided by strings it computes, and a command need not be named anywhere in the file. Model functions have no need to.",
            "Read the function's source before calling it (print it in a session that only loads the file), or " + RemediationR),
        Rule(RExecutionInFunction, "R function that runs commands", Severity.Critical, FindingCategory.CodeExecution,
            "A function (source or byte code) or a promise serialized in the R object calls system, system2, shell, pipe, dyn.load or a similar function that runs commands or loads native code. Model objects carry functions their methods call (a predict function, a family's link functions); when this one is called, the command runs.",
            RemediationR),
        Rule(RExecutionInCallObject, "R call object that runs commands", Severity.Warning, FindingCategory.CodeExecution,
            "The R object keeps a call to system, system2, shell, pipe, dyn.load or a similar function as data (a quoted call or an expression vector). It runs only if something evaluates it, as model code does with a stored call (eval(object$call)).",
            "Inspect why the object stores the call before evaluating anything from it; " + RemediationR),
        Rule(RStartupHook, "R workspace startup hook", Severity.Warning, FindingCategory.CodeExecution,
            "The workspace (.RData) defines .First or .Last. R loads a folder's .RData when it starts there and then calls .First(); .Last() runs when it quits. A workspace from elsewhere should not define them.",
            "Remove .First and .Last from the workspace (rm(.First)) before starting R in its folder, or load it with load() into an environment and inspect it."),
        Rule(RNetworkCall, "R code that reaches the network", Severity.Warning, FindingCategory.FrameworkOperation,
            "Code serialized in the R object (a function, promise or call object) calls download.file, url, socketConnection or a similar function: when it runs, it fetches from or connects to a host.",
            "Check which host the code reaches and why a model would; " + RemediationR),
        Rule(RNamespaceLoad, "R package loaded by unserialize", Severity.Info, FindingCategory.FrameworkOperation,
            "The R object refers to the namespace of a package outside base R (a function's environment, for example). unserialize loads that namespace, which runs the package's load hooks, so loading the file needs the package from the loading library and runs its code.",
            "Make sure the package is the one you expect, from a trusted repository."),
        Rule(RAltrepClass, "R ALTREP class outside base R", Severity.Info, FindingCategory.FrameworkOperation,
            "The R object holds an ALTREP vector of a class registered by a package. unserialize hands its state to that class's own unserialize method, package code that runs while the file loads.",
            "Make sure the package is installed from a trusted repository, or save the data as a plain vector."),
    });
}
