package io.slipway.jenkins;

import java.beans.Introspector;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/** The steps of the plugin and their bound properties, read the way structs' DescribableModel reads them. */
final class Steps {
    static final List<Class<? extends Step>> ALL = List.of(WithSlipwayRegistryStep.class, SlipwayBuildStep.class,
            SlipwayGateStep.class, SlipwaySignStep.class, SlipwayDeployStep.class, SlipwayPromoteStep.class);

    private Steps() {
    }

    static Constructor<?> constructor(Class<?> step) {
        for (Constructor<?> c : step.getConstructors()) {
            if (c.isAnnotationPresent(DataBoundConstructor.class)) {
                return c;
            }
        }
        throw new AssertionError(step + " has no @DataBoundConstructor");
    }

    /** Property name to type: the constructor's parameters, then the setters, in declaration order. */
    static Map<String, Class<?>> properties(Class<?> step) {
        Map<String, Class<?>> all = new LinkedHashMap<>();
        for (Parameter p : constructor(step).getParameters()) {
            all.put(p.getName(), p.getType());
        }
        for (Method m : step.getMethods()) {
            if (m.isAnnotationPresent(DataBoundSetter.class)) {
                all.put(Introspector.decapitalize(m.getName().substring(3)), m.getParameterTypes()[0]);
            }
        }
        return all;
    }

    static List<String> required(Class<?> step) {
        List<String> names = new ArrayList<>();
        for (Parameter p : constructor(step).getParameters()) {
            names.add(p.getName());
        }
        return names;
    }

    /** The getter Snippet Generator's uninstantiation reads a property back with. */
    static Method getter(Class<?> step, String property) {
        String cap = Character.toUpperCase(property.charAt(0)) + property.substring(1);
        for (String name : List.of("get" + cap, "is" + cap)) {
            try {
                return step.getMethod(name);
            } catch (NoSuchMethodException e) {
                // try the other form
            }
        }
        throw new AssertionError(step.getSimpleName() + " has no getter for " + property);
    }

    /** Instantiates from named arguments as structs does: constructor by parameter names, then setters. */
    static Object instantiate(Class<?> step, Map<String, Object> arguments) throws Exception {
        Constructor<?> c = constructor(step);
        Object[] values = new Object[c.getParameterCount()];
        Parameter[] params = c.getParameters();
        for (int i = 0; i < params.length; i++) {
            values[i] = arguments.get(params[i].getName());
        }
        Object instance = c.newInstance(values);
        for (Method m : step.getMethods()) {
            if (m.isAnnotationPresent(DataBoundSetter.class)) {
                String name = Introspector.decapitalize(m.getName().substring(3));
                if (arguments.containsKey(name)) {
                    m.invoke(instance, arguments.get(name));
                }
            }
        }
        return instance;
    }
}
