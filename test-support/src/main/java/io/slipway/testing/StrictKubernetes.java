package io.slipway.testing;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;

/**
 * The one strict reader of fabric8 model objects (Kubernetes objects of the chart, Tekton Tasks,
 * Pipelines and PipelineRuns): a Jackson mapper that refuses any field the model does not name, as the
 * API server's strict field validation and Tekton's webhook do, so a typo is an error and not a field
 * silently dropped.
 *
 * <p>Failing on unknown properties is not enough alone: every fabric8 model type keeps unknown fields
 * in an "additional properties" map (a {@code @JsonAnySetter}) instead of failing, so the mapper also
 * takes that setter away from every {@code io.fabric8} type but {@link GenericKubernetesResource}, the
 * stand-in for kinds without a model, whose fields are all "additional".
 */
public final class StrictKubernetes {
    private StrictKubernetes() {
    }

    /**
     * A new mapper (JSON; read YAML into a tree first and {@code treeToValue} it). New each time because
     * fabric8's {@code KubernetesSerialization} registers its own modules on the mapper it is given.
     */
    public static ObjectMapper mapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .addModule(new SimpleModule("slipway-strict-kubernetes").setDeserializerModifier(new BeanDeserializerModifier() {
                    @Override
                    public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription bean,
                            BeanDeserializerBuilder builder) {
                        Class<?> type = bean.getBeanClass();
                        if (type.getName().startsWith("io.fabric8.") && !GenericKubernetesResource.class.isAssignableFrom(type)) {
                            builder.setAnySetter(null);
                        }
                        return builder;
                    }
                }))
                .build();
    }
}
