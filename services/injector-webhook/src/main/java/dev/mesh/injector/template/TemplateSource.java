package dev.mesh.injector.template;

import dev.mesh.injection.InjectionTemplate;

/** The injection values in force now. */
@FunctionalInterface
public interface TemplateSource {
    InjectionTemplate current();
}
