package io.slipway.registry.api;

import java.util.List;

/** One area of the management API (accounts, IAM, images, …): the routes it answers. */
public interface ManagementArea {
    List<ManagementRoute> routes();
}
