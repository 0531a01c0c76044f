"""My team's observability, as code: `obsgen build` compiles this package into out/."""
