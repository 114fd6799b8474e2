export { type EnergyPipelineOptions, energyPipeline } from './pipeline';
export { type EnergyResult, type EnergyTopology, type EnergyTopologyOptions, energyTopology } from './topology';
export { energyUpdate } from './window-rows';
